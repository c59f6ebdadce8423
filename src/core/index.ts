/** The application core's public surface (see docs/app-core.md). */
export { createAppCore, type AppCore, type AppCoreOptions } from './app-core';
export { disabledUpdater, type UpdaterPort } from './updater';
export type { UpdateStatus } from '../shared/outputs';
export type { ExportSaveTarget } from './exports';
