import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, fieldErrors } from './bridge';
import { humanize } from '../shared/field-labels';
import { useLatestState } from './hooks';

export type FieldErrors = Partial<Record<string, string>>;

/** String state of a form, its inline errors, and a setter per field for `Field`'s onValue. */
export function useForm<K extends string>(initial: Record<K, string>) {
  const [values, setValues, current] = useLatestState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (key: K) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    // Editing a field withdraws its complaint; the core re-checks on save.
    setErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };
  /** `current()`: the values as typed so far, for a save started before the next render. */
  return { values, setValues, current, errors, setErrors, set };
}

/** "Please correct Phone (digits, spaces and + - ( ) only)." in the words of the form's labels. */
export function correctionMessage(errors: FieldErrors, labels: Record<string, string> = {}): string | null {
  const named = Object.entries(errors)
    .filter(([, message]) => message)
    .map(([field, message]) => `${labels[field] ?? humanize(field.split('.').pop() ?? field)} (${message})`);
  return named.length === 0 ? null : `Please correct ${named.join(', ')}.`;
}

export interface SaveOptions {
  /** Field name -> its label, for the failure message. */
  labels?: Record<string, string>;
  /** Focus moves to this form's first control in error after a failure. */
  form?: RefObject<HTMLFormElement>;
}

/**
 * Runs a form's save, one at a time, and keeps its outcome for the form's notices: `busy` while it runs,
 * the success message the action may return, or the failure with its field errors handed to
 * `showFieldErrors` (the form's `setErrors`, or a wrapper that renames fields). A failure naming
 * fields reads in the labels' words, and focus moves to the first field in error. A success clears
 * the errors of the last attempt, so no stale complaint stays beside it.
 * `refuse` shows field errors found before anything was sent, in place of the last outcome.
 */
export function useSave(showFieldErrors: (errors: FieldErrors) => void, options: SaveOptions = {}) {
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  // A ref, not `busy`: a second Enter can arrive before the re-render that disables the button.
  const running = useRef(false);

  useEffect(() => {
    if (failures > 0) options.form?.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [failures]);

  const fail = (errors: FieldErrors, message: string | null) => {
    showFieldErrors(errors);
    setFailure(correctionMessage(errors, options.labels) ?? message);
    setSaved(null);
    setFailures((n) => n + 1);
  };

  const save = async (action: () => Promise<string | void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      const message = (await action()) ?? null;
      showFieldErrors({});
      setSaved(message);
      setFailure(null);
    } catch (error) {
      fail(fieldErrors(error), errorMessage(error));
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  const refuse = (errors: FieldErrors) => fail(errors, null);

  return { failure, saved, busy, save, refuse };
}

/**
 * A form's keydown: Enter in a select submits the form as in a text field, instead of opening
 * the list (the list still opens with Alt+Down or Space).
 */
export function enterSubmits(event: KeyboardEvent): void {
  const target = event.target as HTMLElement;
  if (event.key !== 'Enter' || target.tagName !== 'SELECT') return;
  event.preventDefault();
  (target as HTMLSelectElement).form?.requestSubmit();
}
