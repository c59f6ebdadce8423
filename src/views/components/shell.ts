import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, errorMessage } from '../bridge';
import { href, navigate } from '../router';
import { useSession } from '../session';
import { SyncBar } from './sync-bar';

interface NavItem {
  section: string;
  label: string;
  adminOnly?: boolean;
}

const NAV: NavItem[] = [
  { section: '', label: 'Dashboard' },
  { section: 'households', label: 'Households' },
  { section: 'batch', label: 'Batch entry' },
  { section: 'reports', label: 'Reports' },
  { section: 'conflicts', label: 'Sync issues' },
  { section: 'settings', label: 'Settings', adminOnly: true },
  { section: 'accounts', label: 'Accounts', adminOnly: true },
  { section: 'about', label: 'About' },
];

/**
 * Header, navigation, sync bar and the main landmark around every signed-in screen. On each route
 * change focus moves to the new screen (its `data-autofocus` control, else its heading) so keyboard
 * and screen-reader users land where the content is.
 */
export function Shell({ section, routeKey, children }: { section: string; routeKey: string; children: ComponentChildren }) {
  const { user, refresh } = useSession();
  const [logoutError, setLogoutError] = useState<string | null>(null);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    const target =
      main.current?.querySelector<HTMLElement>('[data-autofocus]') ?? main.current?.querySelector<HTMLElement>('h1');
    target?.focus();
  }, [routeKey]);

  const logout = async () => {
    try {
      await call('session.logout');
    } catch (error) {
      setLogoutError(errorMessage(error));
      return;
    }
    // The next person to sign in starts on the dashboard, not on the screen the last one left open.
    navigate('');
    refresh();
  };

  const isAdmin = user.role === 'admin';
  return html`<div class="shell">
    <a class="skip-link" href="#main" onClick=${(e: Event) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
    <header class="top">
      <span class="brand">BLOS Desktop</span>
      <nav aria-label="Main" class="nav">
        <ul>
          ${NAV.filter((item) => !item.adminOnly || isAdmin).map(
            (item) => html`<li>
              <a href=${href(item.section)} aria-current=${item.section === section ? 'page' : undefined}>${item.label}</a>
            </li>`,
          )}
        </ul>
      </nav>
      <div class="user">
        <a class="user-name" href=${href('password')} title="Change my password" aria-current=${section === 'password' ? 'page' : undefined}>
          ${user.displayName} <span class="muted">(${isAdmin ? 'admin' : 'field worker'})</span>
        </a>
        <button type="button" class="button small secondary" onClick=${logout}>Log out</button>
      </div>
    </header>
    <${SyncBar} isAdmin=${isAdmin} />
    ${logoutError ? html`<div class="notice error" role="alert">${logoutError}</div>` : null}
    <main id="main" tabindex="-1" ref=${main}>${children}</main>
  </div>`;
}

/** The title of a screen: the heading focus moves to, with the screen's main actions beside it. */
export function ScreenTitle({ title, children }: { title: string; children?: ComponentChildren }) {
  return html`<div class="screen-title">
    <h1 tabindex="-1">${title}</h1>
    ${children ? html`<div class="actions">${children}</div>` : null}
  </div>`;
}
