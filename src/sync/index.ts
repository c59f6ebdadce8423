/** The client sync engine's public surface (see docs/sync-engine.md). */
export { DEFAULT_PULL_APPLY_ROWS, SyncEngine, syncConfigFrom, type SyncConfig, type SyncEngineOptions, type SyncReport } from './engine';
export { testConnection, type ConnectionCheck } from './test-connection';
export { SyncError, SyncTransport, type ServerConfig, type SyncErrorKind } from './transport';
export { compareStamps, type Stamp } from '../db/field-stamps';
export type { SyncStatus, RejectedRecord } from './status';
