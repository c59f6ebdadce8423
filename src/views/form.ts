import { useRef, useState } from 'preact/hooks';
import { errorMessage, fieldErrors } from './bridge';

export type FieldErrors = Partial<Record<string, string>>;

/** String state of a form, its inline errors, and a setter per field for `Field`'s onValue. */
export function useForm<K extends string>(initial: Record<K, string>) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (key: K) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    // Editing a field withdraws its complaint; the core re-checks on save.
    setErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };
  return { values, setValues, errors, setErrors, set };
}

/**
 * Runs a form's save, one at a time, and keeps its outcome for the form's notices: `busy` while it runs,
 * the success message the action may return, or the failure with its field errors handed to
 * `showFieldErrors` (the form's `setErrors`, or a wrapper that renames or focuses fields).
 * `refuse` shows field errors found before anything was sent, in place of the last outcome.
 */
export function useSave(showFieldErrors: (errors: FieldErrors) => void) {
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A ref, not `busy`: a second Enter can arrive before the re-render that disables the button.
  const running = useRef(false);

  const save = async (action: () => Promise<string | void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      setSaved((await action()) ?? null);
      setFailure(null);
    } catch (error) {
      showFieldErrors(fieldErrors(error));
      setFailure(errorMessage(error));
      setSaved(null);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  const refuse = (errors: FieldErrors) => {
    showFieldErrors(errors);
    setFailure(null);
    setSaved(null);
  };

  return { failure, saved, busy, save, refuse };
}
