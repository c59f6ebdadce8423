import type { AccountRole } from './vocabulary';

/**
 * The contract's outputs that layers below the contract produce: the accounts service returns
 * accounts and an updater reports its state. The contract re-exports them with the rest.
 */

/** The logged-in account as the renderer sees it (never the session id). */
export interface SessionAccount {
  id: string;
  username: string;
  displayName: string;
  role: AccountRole;
}

export interface AccountSummary extends SessionAccount {
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface UpdateStatus {
  state: 'disabled' | 'idle' | 'checking' | 'available' | 'downloading' | 'ready' | 'error' | 'up-to-date';
  version?: string;
  /** Download progress, 0..100. */
  progress?: number;
  message?: string;
  /** Turned off on this PC by an administrator, who can turn them on again (updates.setEnabled). */
  turnedOff?: boolean;
}
