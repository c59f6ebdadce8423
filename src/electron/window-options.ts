import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * Electron's security checklist for the renderer: isolated, sandboxed, no Node, web security on,
 * no insecure content and no <webview>. The preload is the renderer's only door to the main process.
 */
export function secureWebPreferences(preloadPath: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    // Chromium's spellchecker fetches dictionaries from Google's servers on Linux: the app stays offline.
    spellcheck: false,
    devTools: options.devTools,
  };
}

export function mainWindowOptions(preloadPath: string, options: { devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    title: 'BLOS Desktop',
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    webPreferences: secureWebPreferences(preloadPath, options),
  };
}
