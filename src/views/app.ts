import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { SessionStatus } from '../ipc/contract';
import { call, errorMessage, SESSION_LOST_EVENT } from './bridge';
import { Shell } from './components/shell';
import { useRoute, type Route } from './router';
import { AboutScreen } from './screens/about';
import { AccountsScreen } from './screens/accounts';
import { BatchEntryScreen } from './screens/batch-entry';
import { ChangePasswordScreen } from './screens/change-password';
import { ConflictsScreen } from './screens/conflicts';
import { DashboardScreen } from './screens/dashboard';
import { HouseholdDetailScreen } from './screens/household-detail';
import { HouseholdFormScreen } from './screens/household-form';
import { HouseholdsScreen } from './screens/households';
import { LoginScreen, SetupScreen } from './screens/login';
import { ReportsScreen } from './screens/reports';
import { SettingsScreen } from './screens/settings';
import { SessionContext } from './session';

function screenFor(route: Route, isAdmin: boolean) {
  const [section = '', id, action] = route.path;
  switch (section) {
    case '':
      return html`<${DashboardScreen} />`;
    case 'households':
      if (id === 'new') return html`<${HouseholdFormScreen} />`;
      if (id && action === 'edit') return html`<${HouseholdFormScreen} id=${id} />`;
      if (id) return html`<${HouseholdDetailScreen} key=${id} id=${id} />`;
      return html`<${HouseholdsScreen} key=${route.query.deleted ?? ''} query=${route.query} />`;
    case 'batch':
      return html`<${BatchEntryScreen} />`;
    case 'reports':
      return html`<${ReportsScreen} />`;
    case 'conflicts':
      return html`<${ConflictsScreen} />`;
    case 'settings':
      if (isAdmin) return html`<${SettingsScreen} />`;
      break;
    case 'accounts':
      if (isAdmin) return html`<${AccountsScreen} />`;
      break;
    case 'about':
      return html`<${AboutScreen} />`;
    case 'password':
      return html`<${ChangePasswordScreen} />`;
  }
  return html`<h1 tabindex="-1">Page not found</h1><p><a href="#/">Go to the dashboard</a></p>`;
}

/** Who is signed in decides the whole page: first-run setup, sign-in, or the app. */
export function App() {
  const [session, setSession] = useState<SessionStatus | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const route = useRoute();

  const refresh = useCallback(() => {
    call('session.status').then(
      (status) => {
        setSession(status);
        setFailure(null);
      },
      (error) => setFailure(errorMessage(error)),
    );
  }, []);

  useEffect(() => {
    refresh();
    window.addEventListener(SESSION_LOST_EVENT, refresh);
    return () => window.removeEventListener(SESSION_LOST_EVENT, refresh);
  }, [refresh]);

  if (failure && !session) {
    return html`<main id="main" class="gate"><div class="gate-card"><h1>BLOS Desktop cannot start</h1>
      <div class="notice error" role="alert">${failure}</div>
      <button type="button" class="button primary" onClick=${refresh}>Try again</button></div></main>`;
  }
  if (!session) return html`<main id="main" class="gate"><p class="muted" role="status">Loading…</p></main>`;
  if (session.firstRun) return html`<${SetupScreen} onDone=${refresh} />`;
  if (!session.account) return html`<${LoginScreen} onSignedIn=${refresh} />`;

  const section = route.path[0] ?? '';
  return html`<${SessionContext.Provider} value=${{ user: session.account, refresh }}>
    <${Shell} section=${section} routeKey=${route.path.join('/')}>${screenFor(route, session.account.role === 'admin')}<//>
  <//>`;
}
