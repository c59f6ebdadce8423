import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { VISIT_OUTCOMES, type VisitOutcome } from '../../shared/vocabulary';
import { call } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { timeOfDay } from '../format';
import { useForm, useSave } from '../form';
import { householdTitle } from '../records';
import { href } from '../router';

type EntryField = 'area' | 'outcome' | 'headName' | 'address' | 'phone' | 'notes';
const BLANK: Record<EntryField, string> = { area: '', outcome: '', headName: '', address: '', phone: '', notes: '' };
/** How many of the latest saves stay listed under the form. */
const RECENT = 8;

interface Saved {
  id: string;
  title: string;
  area: string;
  outcome: string;
  at: number;
}

/**
 * Keyboard-first entry of households (with an optional visit): Enter in any field saves and opens the
 * next blank form, keeping area and visit outcome; focus goes back to the first field of the record.
 */
export function BatchEntryScreen() {
  const { values, setValues, errors, setErrors, set } = useForm(BLANK);
  const [saved, setSaved] = useState<Saved[]>([]);
  const [total, setTotal] = useState(0);
  const firstRecordField = useRef<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const { failure, busy, save } = useSave((fields) => {
    setErrors(fields);
    const firstBad = Object.keys(BLANK).find((key) => fields[key]);
    if (firstBad) form.current?.querySelector<HTMLElement>(`#entry-${firstBad}`)?.focus();
  });

  const saveAndNext = () =>
    save(async () => {
      const record = { area: values.area, headName: values.headName, address: values.address, phone: values.phone, notes: values.notes };
      const household = await call('records.create', { table: 'households', values: record });
      if (values.outcome) {
        await call('records.create', {
          table: 'visits',
          values: { householdId: household.id, visitedAt: Date.now(), outcome: values.outcome as VisitOutcome, notes: '' },
        });
      }
      setSaved((list) =>
        [{ id: household.id, title: householdTitle(record), area: record.area, outcome: values.outcome, at: Date.now() }, ...list].slice(0, RECENT),
      );
      setTotal((n) => n + 1);
      setValues({ ...BLANK, area: values.area, outcome: values.outcome });
      firstRecordField.current?.focus();
    });

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    // Enter saves from any field, selects included; on a button it keeps its own meaning.
    if (event.key !== 'Enter' || target.tagName === 'BUTTON' || target.tagName === 'A') return;
    event.preventDefault();
    void saveAndNext();
  };

  const field = (key: EntryField) => ({ id: `entry-${key}`, value: values[key], onValue: set(key), error: errors[key] });
  return html`<${ScreenTitle} title="Batch entry">
      <a class="button secondary" href=${href('households')}>Households</a>
    <//>
    <p class="muted">Type a household and press <kbd>Enter</kbd> to save it and start the next one. Area and visit outcome stay as they are.</p>
    <div class="batch">
      <form ref=${form} onSubmit=${(e: Event) => { e.preventDefault(); void saveAndNext(); }} onKeyDown=${onKeyDown} novalidate aria-label="Batch entry"
        class="batch-form" aria-busy=${busy ? 'true' : 'false'}>
        <${ErrorNotice} message=${failure} />
        <fieldset class="form-grid">
          <legend>Kept for every record</legend>
          <${Field} ...${field('area')} label="Area" required autoFocus />
          <${Field} ...${field('outcome')} label="Visit outcome" type="select" options=${VISIT_OUTCOMES} emptyOption="No visit" />
        </fieldset>
        <fieldset class="form-grid">
          <legend>This household</legend>
          <${Field} ...${field('headName')} label="Head of household" inputRef=${firstRecordField} />
          <${Field} ...${field('address')} label="Address" />
          <${Field} ...${field('phone')} label="Phone" type="tel" />
          <${Field} ...${field('notes')} label="Notes" />
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button primary" disabled=${busy}>Save and next <kbd>Enter</kbd></button>
        </div>
      </form>
      <aside class="batch-side" aria-labelledby="batch-count-title">
        <h2 id="batch-count-title">Saved this session</h2>
        <p class="big-count" role="status" data-testid="batch-count">${total.toLocaleString()}</p>
        <ul class="recent" aria-label="Latest saved">
          ${saved.map(
            (s) => html`<li key=${s.id}>
              <a href=${href(`households/${s.id}`)}>${s.title}</a>
              <span class="muted"> ${s.area}${s.outcome ? `, ${s.outcome.replace(/_/g, ' ')}` : ''} · ${timeOfDay(s.at)}</span>
            </li>`,
          )}
        </ul>
      </aside>
    </div>`;
}
