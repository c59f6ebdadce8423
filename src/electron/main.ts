import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell, type WebContents } from 'electron';
import { autoUpdater } from 'electron-updater';
import fs from 'node:fs';
import path from 'node:path';
import { clientEnvSchema, parseEnv, readEnv } from '../config/env';
import { createAppCore, type AppCore } from '../core';
import { APP_ENTRY_URL, APP_SCHEME } from './app-origin';
import { serveAppRequest } from './app-protocol';
import { envFolders, prepareDataFolders } from './data-folders';
import { parseExternalHosts } from './external-hosts';
import { externalUrlToOpen, isNavigationAllowed, isTrustedIpcSender } from './guards';
import { CALL_CHANNEL } from './ipc-channel';
import { openLogFile, type LogLine } from './log-file';
import { osKeychain } from './keychain';
import { createQuitGate } from './quit-gate';
import { bakedFeedFile, UpdaterController, updatesDisabledReason } from './updater-controller';
import { mainWindowOptions } from './window-options';

/**
 * The Electron main process: one window on app://blos, the core behind one IPC channel, the updater,
 * and an orderly quit. Every decision that can be tested lives in the pure modules it imports; this
 * file only connects them to Electron.
 */

// Must happen before 'ready'. standard + secure give app://blos a real origin that counts as secure.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

// Every renderer sandboxed, including any a library might create, not only the windows made here.
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;

if (app.requestSingleInstanceLock()) {
  app.on('second-instance', focusMainWindow);
  start().catch((error: unknown) => failToStart(error));
} else {
  // Another instance owns the database; it has been asked to show its window.
  app.quit();
}

async function start(): Promise<void> {
  const folders = prepareDataFolders(app.getPath('userData'), process.env);
  const log = openLogFile(folders.logsDir);
  log(`starting ${app.getVersion()} (packaged: ${app.isPackaged}); data in ${folders.dataDir}`);

  // The same sources, in the same order, as the core reads its configuration from.
  const configFolders = envFolders(folders.dataDir, { isPackaged: app.isPackaged, cwd: process.cwd() });
  const env = readEnv(configFolders);
  const config = parseEnv(clientEnvSchema, env);
  const externalHosts = parseExternalHosts(env);

  // The keychain (safeStorage) answers only once the app is ready, and the core's database needs it.
  await app.whenReady();
  const keychain = osKeychain(safeStorage);
  if (!keychain) log('no OS keychain protects the database key here: it is kept in an owner-only key file beside the database');

  const hasFeed = fs.existsSync(bakedFeedFile(app.getAppPath()));
  const updater = new UpdaterController({
    createUpdater: () => autoUpdater,
    disabledReason: updatesDisabledReason({ isPackaged: app.isPackaged, hasFeed, env }),
    turnedOff: config.BLOS_DISABLE_UPDATES === '1',
    log,
  });
  const core = createAppCore({
    dataDir: folders.dataDir,
    configFolders,
    version: app.getVersion(),
    keychain,
    updater,
    log: (message, error) => log(`${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    exportTarget: {
      async choose(suggestedName) {
        const options = { defaultPath: suggestedName, filters: [{ name: 'CSV for Excel', extensions: ['csv'] }] };
        const chosen = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
        return chosen.canceled || !chosen.filePath ? null : { file: chosen.filePath };
      },
    },
  });

  app.on(
    'before-quit',
    createQuitGate({
      shutdown: async () => {
        updater.stop();
        await core.close();
        log('core closed');
      },
      quit: () => app.quit(),
      log,
    }),
  );
  app.on('web-contents-created', (_event, contents) => lockDown(contents, externalHosts, log));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  denyAllPermissions();
  const rendererDir = path.join(__dirname, 'renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const response = await serveAppRequest(request.url, rendererDir);
    return new Response(response.body, { status: response.status, headers: response.headers });
  });
  ipcMain.handle(CALL_CHANNEL, (event, name: unknown, input: unknown) => {
    if (!isTrustedIpcSender(event, mainWindow?.webContents.id ?? null)) {
      log(`refused an IPC call from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
      throw new Error('This caller may not use the application.');
    }
    return core.call(String(event.sender.id), String(name), input);
  });

  createMainWindow(core);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(core);
  });
  updater.start();
}

function createMainWindow(core: AppCore): void {
  const window = new BrowserWindow(mainWindowOptions(path.join(__dirname, 'preload.js'), { devTools: !app.isPackaged }));
  const clientId = String(window.webContents.id);
  window.once('ready-to-show', () => window.show());
  // A closed window's session must not outlive it.
  window.webContents.once('destroyed', () => core.endClient(clientId));
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  mainWindow = window;
  void window.loadURL(APP_ENTRY_URL);
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** Applied to every webContents the app ever creates: it stays on app://blos and opens no windows. */
function lockDown(contents: WebContents, externalHosts: readonly string[], log: LogLine): void {
  const refuseForeign = (event: { url: string; preventDefault(): void }) => {
    if (isNavigationAllowed(event.url)) return;
    event.preventDefault();
    log(`blocked navigation to ${event.url}`);
  };
  contents.on('will-frame-navigate', refuseForeign);
  contents.on('will-redirect', refuseForeign);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url, externalHosts);
    if (external) void shell.openExternal(external).catch((error: unknown) => log(`could not open ${external}: ${String(error)}`));
    else log(`blocked a new window for ${url}`);
    return { action: 'deny' };
  });
}

/** The app needs no camera, microphone, location, notifications, devices or anything else a page may ask for. */
function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.setDevicePermissionHandler(() => false);
}

function failToStart(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  // A config error or a database from a newer version: say what is wrong instead of a blank window.
  void app.whenReady().then(() => {
    dialog.showErrorBox('BLOS Desktop could not start', message);
    app.exit(1);
  });
}
