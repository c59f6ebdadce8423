import { html } from 'htm/preact';
import { useRef } from 'preact/hooks';
import { call } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice, SuccessNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { useForm, useSave } from '../form';

const LABELS = { currentPassword: 'Current password', newPassword: 'New password', confirm: 'Repeat new password' };

/** The signed-in person changes their own password (after an admin reset, say). */
export function ChangePasswordScreen() {
  const blank = { currentPassword: '', newPassword: '', confirm: '' };
  const { values, setValues, errors, setErrors, set } = useForm(blank);
  const form = useRef<HTMLFormElement>(null);
  const { failure, saved, busy, save, refuse } = useSave(setErrors, { labels: LABELS, form });

  const submit = async (event: Event) => {
    event.preventDefault();
    if (values.newPassword !== values.confirm) {
      refuse({ confirm: 'The two passwords differ' });
      return;
    }
    await save(async () => {
      await call('session.changePassword', { currentPassword: values.currentPassword, newPassword: values.newPassword });
      setValues(blank);
      return 'Your password has been changed.';
    });
  };

  return html`<${ScreenTitle} title="Change my password" />
    <form ref=${form} onSubmit=${submit} novalidate aria-label="Change my password" class="form-grid narrow">
      <${ErrorNotice} message=${failure} />
      <${Field} id="currentPassword" label="Current password" type="password" value=${values.currentPassword}
        onValue=${set('currentPassword')} error=${errors.currentPassword} autoComplete="current-password" required wide />
      <${Field} id="newPassword" label="New password" type="password" value=${values.newPassword} onValue=${set('newPassword')}
        error=${errors.newPassword} hint="At least 10 characters" autoComplete="new-password" required />
      <${Field} id="confirm" label="Repeat new password" type="password" value=${values.confirm} onValue=${set('confirm')}
        error=${errors.confirm} autoComplete="new-password" required />
      <div class="form-actions wide"><button type="submit" class="button primary" disabled=${busy}>Change password</button></div>
      <div class="wide"><${SuccessNotice} message=${saved} /></div>
    </form>`;
}
