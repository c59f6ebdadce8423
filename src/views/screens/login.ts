import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice } from '../components/notice';
import { useForm, useSave } from '../form';

/** Shared frame of the screens shown before anyone is signed in. */
function Gate({ title, intro, children }: { title: string; intro: string; children: unknown }) {
  const main = useRef<HTMLElement>(null);
  // These screens are outside the shell, which moves focus on other screens: the first field gets it here.
  useEffect(() => main.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus(), []);
  return html`<main id="main" class="gate" ref=${main}>
    <div class="gate-card">
      <p class="brand">BLOS Desktop</p>
      <h1>${title}</h1>
      <p class="muted">${intro}</p>
      ${children}
    </div>
  </main>`;
}

export function LoginScreen({ onSignedIn }: { onSignedIn: () => void }) {
  const { values, setValues, errors, setErrors, set } = useForm({ username: '', password: '' });
  const { failure, busy, save } = useSave((fields) => {
    setErrors(fields);
    // A refusal that names no field (a wrong password, say) clears the password so the next try starts clean.
    if (!Object.keys(fields).length) setValues((v) => ({ ...v, password: '' }));
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    await save(async () => {
      await call('session.login', values);
      onSignedIn();
    });
  };

  return html`<${Gate} title="Sign in" intro="Use the account your administrator gave you.">
    <form onSubmit=${submit} novalidate aria-label="Sign in">
      <${ErrorNotice} message=${failure} />
      <${Field} id="login-username" label="Username" value=${values.username} onValue=${set('username')} error=${errors.username}
        autoComplete="username" required autoFocus />
      <${Field} id="login-password" label="Password" type="password" value=${values.password} onValue=${set('password')}
        error=${errors.password} autoComplete="current-password" required />
      <button type="submit" class="button primary" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  <//>`;
}

/** The database's recovery code, shown once: nothing else can open the data if this PC's key is lost. */
function RecoveryCodeScreen({ code, onDone }: { code: string; onDone: () => void }) {
  return html`<${Gate}
    title="Write down the recovery code"
    intro="The records on this PC are encrypted. If Windows is reinstalled or the data is moved to another PC, this code is the only way to open them. It is shown now and never again."
  >
    <p class="recovery-code" aria-label="Recovery code"><strong>${code}</strong></p>
    <p class="muted">Keep it on paper in a safe place, away from this PC.</p>
    <button type="button" class="button primary" onClick=${onDone}>I have written it down</button>
  <//>`;
}

const SETUP_LABELS = { username: 'Username', displayName: 'Full name', password: 'Password', confirm: 'Repeat password' };

export function SetupScreen({ onDone }: { onDone: () => void }) {
  const { values, errors, setErrors, set } = useForm({ username: '', displayName: '', password: '', confirm: '' });
  const form = useRef<HTMLFormElement>(null);
  const { failure, busy, save, refuse } = useSave(setErrors, { labels: SETUP_LABELS, form });
  const [recoveryCode, setRecoveryCode] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (values.password !== values.confirm) {
      refuse({ confirm: 'The two passwords differ' });
      return;
    }
    await save(async () => {
      const setup = await call('session.setupAdmin', { username: values.username, displayName: values.displayName, password: values.password });
      if (setup.recoveryCode) setRecoveryCode(setup.recoveryCode);
      else onDone();
    });
  };

  if (recoveryCode) return html`<${RecoveryCodeScreen} code=${recoveryCode} onDone=${onDone} />`;

  return html`<${Gate}
    title="Set up the first administrator"
    intro="This PC has no accounts yet. The administrator you create here can add field workers later."
  >
    <form ref=${form} onSubmit=${submit} novalidate aria-label="Create administrator">
      <${ErrorNotice} message=${failure} />
      <${Field} id="setup-username" label="Username" value=${values.username} onValue=${set('username')} error=${errors.username}
        hint="Letters, digits, dot, dash or underscore" autoComplete="username" required autoFocus />
      <${Field} id="setup-displayName" label="Full name" value=${values.displayName} onValue=${set('displayName')}
        error=${errors.displayName} autoComplete="name" required />
      <${Field} id="setup-password" label="Password" type="password" value=${values.password} onValue=${set('password')}
        error=${errors.password} hint="At least 10 characters" autoComplete="new-password" required />
      <${Field} id="setup-confirm" label="Repeat password" type="password" value=${values.confirm} onValue=${set('confirm')}
        error=${errors.confirm} autoComplete="new-password" required />
      <button type="submit" class="button primary" disabled=${busy}>${busy ? 'Creating…' : 'Create administrator'}</button>
    </form>
  <//>`;
}
