/**
 * The names the renderer may call, in one dependency-free list. The preload and the browser bridge
 * import only this (and types), so neither bundles zod or the database schema; `contract.ts` is
 * type-checked to define exactly these names.
 */
export const CONTRACT_NAMES = [
  'session.status',
  'session.setupAdmin',
  'session.login',
  'session.logout',
  'session.changePassword',
  'records.list',
  'records.get',
  'records.create',
  'records.batchCreate',
  'records.update',
  'records.delete',
  'records.restore',
  'records.enterHousehold',
  'records.likelyDuplicates',
  'records.areas',
  'dashboard.summary',
  'reports.summary',
  'exports.start',
  'exports.status',
  'exports.cancel',
  'sync.status',
  'sync.now',
  'sync.conflicts',
  'sync.keepMine',
  'sync.dismissConflict',
  'sync.rejections',
  'accounts.list',
  'accounts.create',
  'accounts.setDisabled',
  'accounts.resetPassword',
  'settings.get',
  'settings.update',
  'settings.testConnection',
  'app.about',
  'updates.status',
  'updates.check',
  'updates.install',
  'updates.setEnabled',
] as const;

export type ContractName = (typeof CONTRACT_NAMES)[number];

const known: ReadonlySet<string> = new Set(CONTRACT_NAMES);
export function isContractName(name: unknown): name is ContractName {
  return typeof name === 'string' && known.has(name);
}
