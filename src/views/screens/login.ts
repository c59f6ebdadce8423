import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { call, CallFailure, errorMessage, fieldErrors } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice } from '../components/notice';

/** Shared frame of the screens shown before anyone is signed in. */
function Gate({ title, intro, children }: { title: string; intro: string; children: unknown }) {
  return html`<main id="main" class="gate">
    <div class="gate-card">
      <p class="brand">BLOS Desktop</p>
      <h1>${title}</h1>
      <p class="muted">${intro}</p>
      ${children}
    </div>
  </main>`;
}

export function LoginScreen({ onSignedIn }: { onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await call('session.login', { username, password });
      onSignedIn();
    } catch (error) {
      setErrors(fieldErrors(error));
      setFailure(errorMessage(error));
      // A failed attempt clears the password so the next try starts clean.
      if (!(error instanceof CallFailure && Object.keys(error.fields).length)) setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return html`<${Gate} title="Sign in" intro="Use the account your administrator gave you.">
    <form onSubmit=${submit} novalidate aria-label="Sign in">
      <${ErrorNotice} message=${failure} />
      <${Field} id="login-username" label="Username" value=${username} onValue=${setUsername} error=${errors.username}
        autoComplete="username" required />
      <${Field} id="login-password" label="Password" type="password" value=${password} onValue=${setPassword}
        error=${errors.password} autoComplete="current-password" required />
      <button type="submit" class="button primary" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  <//>`;
}

export function SetupScreen({ onDone }: { onDone: () => void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (password !== confirm) {
      setErrors({ confirm: 'The two passwords differ' });
      setFailure(null);
      return;
    }
    setBusy(true);
    try {
      await call('session.setupAdmin', { username, displayName, password });
      onDone();
    } catch (error) {
      setErrors(fieldErrors(error));
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return html`<${Gate}
    title="Set up the first administrator"
    intro="This PC has no accounts yet. The administrator you create here can add field workers later."
  >
    <form onSubmit=${submit} novalidate aria-label="Create administrator">
      <${ErrorNotice} message=${failure} />
      <${Field} id="setup-username" label="Username" value=${username} onValue=${setUsername} error=${errors.username}
        hint="Letters, digits, dot, dash or underscore" autoComplete="username" required />
      <${Field} id="setup-displayName" label="Full name" value=${displayName} onValue=${setDisplayName}
        error=${errors.displayName} autoComplete="name" required />
      <${Field} id="setup-password" label="Password" type="password" value=${password} onValue=${setPassword}
        error=${errors.password} hint="At least 10 characters" autoComplete="new-password" required />
      <${Field} id="setup-confirm" label="Repeat password" type="password" value=${confirm} onValue=${setConfirm}
        error=${errors.confirm} autoComplete="new-password" required />
      <button type="submit" class="button primary" disabled=${busy}>${busy ? 'Creating…' : 'Create administrator'}</button>
    </form>
  <//>`;
}
