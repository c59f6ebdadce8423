import { EventEmitter } from 'node:events';

/**
 * A stand-in for the Electron binary (absent here): the parts of `electron`'s API main.ts uses, each
 * recording what the shell did with it, so the main process can run in plain Node against the real
 * core. Nothing of the shell itself is faked.
 */
export interface QuitEvent {
  prevented: boolean;
  preventDefault(): void;
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  constructor(readonly id: number) {
    super();
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export interface FakeElectronOptions {
  userData: string;
  gotLock?: boolean;
  isPackaged?: boolean;
  /** What app.getAppPath() answers: the folder holding package.json (resources/app.asar when packaged). */
  appPath?: string;
  /** What safeStorage reports: 'gnome_libsecret' (the default) wraps; 'basic_text' protects nothing; 'unavailable' cannot encrypt. */
  keychainBackend?: 'gnome_libsecret' | 'basic_text' | 'unavailable';
}

export function createFakeElectron(options: FakeElectronOptions) {
  const state = {
    privilegedSchemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
    windows: [] as FakeBrowserWindow[],
    permissionRequestHandler: null as null | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void),
    permissionCheckHandler: null as null | ((...args: unknown[]) => boolean),
    devicePermissionHandler: null as null | ((...args: unknown[]) => boolean),
    /** Secrets wrapped by safeStorage; a wrapped secret is its index here (the real one is OS-encrypted). */
    keychain: [] as string[],
    openedExternally: [] as string[],
    errorBoxes: [] as Array<{ title: string; message: string }>,
    /** What the save dialog answers next (null: the person cancels it), and what it was asked. */
    saveDialogAnswer: null as string | null,
    saveDialogs: [] as Array<{ window: unknown; defaultPath: string }>,
    quits: 0,
    exitCode: null as number | null,
    /** True once a quit got past every before-quit listener. */
    quitCompleted: false,
  };
  let nextWebContentsId = 1;

  const app = Object.assign(new EventEmitter(), {
    isPackaged: options.isPackaged ?? false,
    getPath: (name: string) => {
      if (name !== 'userData') throw new Error(`unexpected app.getPath(${name})`);
      return options.userData;
    },
    getVersion: () => '9.9.9',
    getAppPath: () => options.appPath ?? process.cwd(),
    requestSingleInstanceLock: () => options.gotLock ?? true,
    enableSandbox: () => undefined,
    whenReady: () => Promise.resolve(),
    quit: () => {
      state.quits += 1;
      const event: QuitEvent = {
        prevented: false,
        preventDefault() {
          this.prevented = true;
        },
      };
      app.emit('before-quit', event);
      if (!event.prevented) state.quitCompleted = true;
    },
    exit: (code: number) => {
      state.exitCode = code;
    },
  });

  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents(nextWebContentsId++);
    url: string | null = null;
    minimized = false;
    shown = false;
    focused = false;
    constructor(readonly options: { webPreferences?: Record<string, unknown> }) {
      super();
      state.windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string): Promise<void> {
      this.url = url;
      return Promise.resolve();
    }
    isMinimized = () => this.minimized;
    restore = () => {
      this.minimized = false;
    };
    show = () => {
      this.shown = true;
    };
    focus = () => {
      this.focused = true;
    };
    static getAllWindows = () => state.windows;
  }

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) => state.protocolHandlers.set(scheme, handler),
    },
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => state.ipcHandlers.set(channel, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: typeof state.permissionRequestHandler) => (state.permissionRequestHandler = handler),
        setPermissionCheckHandler: (handler: typeof state.permissionCheckHandler) => (state.permissionCheckHandler = handler),
        setDevicePermissionHandler: (handler: typeof state.devicePermissionHandler) => (state.devicePermissionHandler = handler),
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => (options.keychainBackend ?? 'gnome_libsecret') !== 'unavailable',
      getSelectedStorageBackend: () => options.keychainBackend ?? 'gnome_libsecret',
      encryptString: (plain: string) => Buffer.from(`wrapped:${state.keychain.push(plain) - 1}`),
      decryptString: (wrapped: Buffer) => {
        const secret = state.keychain[Number(/^wrapped:(\d+)$/.exec(wrapped.toString())?.[1])];
        if (secret === undefined) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
        return secret;
      },
    },
    shell: {
      openExternal: async (url: string) => {
        state.openedExternally.push(url);
      },
    },
    dialog: {
      showErrorBox: (title: string, message: string) => state.errorBoxes.push({ title, message }),
      showSaveDialog: async (window: unknown, options: { defaultPath: string }) => {
        state.saveDialogs.push({ window, defaultPath: options.defaultPath });
        const answer = state.saveDialogAnswer;
        return answer === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: answer };
      },
    },
  };
  return { electron, app, state };
}
