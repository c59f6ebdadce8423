import { contextBridge, ipcRenderer } from 'electron';
import { createBridge, type CallResult } from '../ipc/bridge';
import { CALL_CHANNEL } from './ipc-channel';

// Runs sandboxed: it may require only `electron`; the build bundles everything else into this file.
// The renderer gets one frozen object with exactly the contract's names, never ipcRenderer itself.
contextBridge.exposeInMainWorld(
  'blos',
  createBridge((name, input) => ipcRenderer.invoke(CALL_CHANNEL, name, input) as Promise<CallResult>),
);
