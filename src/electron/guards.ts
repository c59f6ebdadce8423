import type { WebContents } from 'electron';
import { isAppUrl } from './app-origin';

/** The renderer may only ever show our own pages: any navigation elsewhere is cancelled. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/**
 * What to do with a link the renderer tries to open in a new window: never a new Electron window;
 * an https link to an allow-listed host goes to the system browser, anything else is dropped.
 * Returns the URL to hand to shell.openExternal, or null.
 */
export function externalUrlToOpen(url: string, allowedHosts: readonly string[]): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return null;
  const host = parsed.hostname.toLowerCase();
  return allowedHosts.some((allowed) => allowed.toLowerCase() === host) ? parsed.href : null;
}

/** The parts of an IPC event the sender check reads (Electron's IpcMainInvokeEvent has them all). */
export interface IpcSenderLike {
  sender: Pick<WebContents, 'id'>;
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * Only our own window's top frame, showing an app://blos page, may call the contract: a subframe, a
 * foreign page the window was somehow navigated to, another webContents or a frame already gone are
 * refused.
 */
export function isTrustedIpcSender(event: IpcSenderLike, trustedWebContentsId: number | null): boolean {
  const frame = event.senderFrame;
  return (
    trustedWebContentsId !== null &&
    event.sender.id === trustedWebContentsId &&
    frame !== null &&
    frame.parent === null &&
    isAppUrl(frame.url)
  );
}
