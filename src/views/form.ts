import { useState } from 'preact/hooks';

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
