import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AccountSummary } from '../../ipc/contract';
import { call, errorMessage } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice, Loading, SuccessNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { dateTime } from '../format';
import { useForm, useSave } from '../form';
import { useLoad } from '../hooks';
import { useSession } from '../session';

const ROLES = ['field_worker', 'admin'] as const;
const ACCOUNT_LABELS = { username: 'Username', displayName: 'Full name', role: 'Role', password: 'Password' };
const RESET_LABELS = { password: 'New password' };

export function AccountsScreen() {
  const accounts = useLoad(() => call('accounts.list'), []);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);
  const { user } = useSession();

  const setDisabled = async (account: AccountSummary, disabled: boolean) => {
    try {
      await call('accounts.setDisabled', { id: account.id, disabled });
      setMessage(`${account.username} ${disabled ? 'disabled' : 'enabled'}.`);
      setFailure(null);
      accounts.reload();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  };

  return html`<${ScreenTitle} title="Accounts" />
    <${ErrorNotice} message=${accounts.error ?? failure} />
    <${SuccessNotice} message=${message} />
    ${!accounts.data && !accounts.error ? html`<${Loading} />` : null}
    <table class="data" data-testid="accounts-table">
      <thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
      <tbody>
        ${(accounts.data ?? []).map(
          (a) => html`<tr key=${a.id}>
            <td>${a.username}</td>
            <td>${a.displayName}</td>
            <td>${a.role === 'admin' ? 'Admin' : 'Field worker'}</td>
            <td>${a.disabled ? html`<span class="tag off">Disabled</span>` : html`<span class="tag on">Active</span>`}</td>
            <td>${dateTime(a.createdAt)}</td>
            <td><div class="row-actions">
              ${a.username === user.username
                ? html`<span class="muted">you</span>`
                : html`<button type="button" class="button small secondary" onClick=${() => setDisabled(a, !a.disabled)}
                    aria-label=${`${a.disabled ? 'Enable' : 'Disable'} ${a.username}`}>${a.disabled ? 'Enable' : 'Disable'}</button>`}
              <button type="button" class="button small secondary" onClick=${() => setResetting(a.id)}
                aria-label=${`Reset password of ${a.username}`}>Reset password</button>
            </div></td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${resetting
      ? html`<${ResetPassword}
          account=${accounts.data?.find((a) => a.id === resetting)}
          onDone=${(text: string | null) => {
            setResetting(null);
            if (text) setMessage(text);
          }}
        />`
      : null}
    <${CreateAccount} onCreated=${(a: AccountSummary) => { setMessage(`Account ${a.username} created.`); accounts.reload(); }} />`;
}

function CreateAccount({ onCreated }: { onCreated: (account: AccountSummary) => void }) {
  const blank = { username: '', displayName: '', role: 'field_worker', password: '' };
  const { values, setValues, errors, setErrors, set } = useForm(blank);
  const form = useRef<HTMLFormElement>(null);
  const { failure, busy, save } = useSave(setErrors, { labels: ACCOUNT_LABELS, form });

  const submit = async (event: Event) => {
    event.preventDefault();
    await save(async () => {
      const account = await call('accounts.create', { ...values, role: values.role as (typeof ROLES)[number] });
      setValues(blank);
      onCreated(account);
    });
  };

  return html`<section aria-labelledby="create-account-title" class="panel">
    <h2 id="create-account-title">New account</h2>
    <form ref=${form} onSubmit=${submit} novalidate aria-label="New account" class="form-grid">
      <${ErrorNotice} message=${failure} />
      <${Field} id="account-username" label="Username" value=${values.username} onValue=${set('username')} error=${errors.username} required />
      <${Field} id="account-displayName" label="Full name" value=${values.displayName} onValue=${set('displayName')} error=${errors.displayName} required />
      <${Field} id="account-role" label="Role" type="select" options=${ROLES} value=${values.role} onValue=${set('role')} error=${errors.role} />
      <${Field} id="account-password" label="Password" type="password" value=${values.password} onValue=${set('password')}
        error=${errors.password} hint="At least 10 characters" autoComplete="new-password" required />
      <div class="form-actions wide"><button type="submit" class="button primary" disabled=${busy}>Create account</button></div>
    </form>
  </section>`;
}

function ResetPassword({ account, onDone }: { account: AccountSummary | undefined; onDone: (message: string | null) => void }) {
  const { values, errors, setErrors, set } = useForm({ password: '' });
  const form = useRef<HTMLFormElement>(null);
  const { failure, busy, save } = useSave(setErrors, { labels: RESET_LABELS, form });
  const input = useRef<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>(null);
  useEffect(() => input.current?.focus(), [account?.id]);
  if (!account) return null;

  const submit = async (event: Event) => {
    event.preventDefault();
    await save(async () => {
      await call('accounts.resetPassword', { id: account.id, password: values.password });
      onDone(`Password of ${account.username} reset.`);
    });
  };

  // One field and no notice of its own: any refusal shows on the field.
  return html`<section aria-labelledby="reset-title" class="panel">
    <h2 id="reset-title">Reset the password of ${account.username}</h2>
    <form ref=${form} onSubmit=${submit} novalidate aria-label="Reset password" class="form-grid">
      <${Field} id="reset-password" label="New password" type="password" value=${values.password} onValue=${set('password')}
        error=${errors.password ?? failure ?? undefined} hint="At least 10 characters" autoComplete="new-password" required inputRef=${input} />
      <div class="form-actions wide">
        <button type="submit" class="button primary" disabled=${busy}>Set password</button>
        <button type="button" class="button secondary" onClick=${() => onDone(null)}>Cancel</button>
      </div>
    </form>
  </section>`;
}
