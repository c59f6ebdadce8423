import { useState } from 'preact/hooks';
import { errorMessage, fieldErrors } from './bridge';

/** String state of a form, its inline errors, and a setter per field for `Field`'s onValue. */
export function useForm<K extends string>(initial: Record<K, string>) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const set = (key: K) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    // Editing a field withdraws its complaint; the core re-checks on save.
    setErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };
  return { values, setValues, errors, setErrors, set };
}

/**
 * Runs a save and keeps its outcome for the form's notices: the success message the action returns,
 * or the failure with its field errors handed to `setErrors` for inline display.
 */
export function useSave(setErrors: (errors: Partial<Record<string, string>>) => void) {
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const save = async (action: () => Promise<string>) => {
    try {
      setSaved(await action());
      setFailure(null);
    } catch (error) {
      setErrors(fieldErrors(error));
      setFailure(errorMessage(error));
      setSaved(null);
    }
  };
  return { failure, saved, save };
}
