import { html } from 'htm/preact';
import { render } from 'preact';
import { App } from './views/app';
import { installBrowserBridge } from './web/browser-bridge';

/**
 * The renderer bundle's entry. It sits above the views so they never load a transport themselves:
 * they reach the core only through `window.blos`.
 */

// Under Electron the preload has installed window.blos; in a plain browser the bridge reads its
// token from the address fragment, which the hash router then takes over.
if (!window.blos) {
  installBrowserBridge();
  if (/(^#|&)token=/.test(location.hash)) history.replaceState(null, '', '#/');
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
