import { html } from 'htm/preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { TEXT_LIMITS } from '../../shared/text-limits';
import { GENDERS, VISIT_OUTCOMES, type Gender, type VisitOutcome } from '../../shared/vocabulary';
import { call } from '../bridge';
import { Field } from '../components/field';
import { LikelyDuplicates } from '../components/likely-duplicates';
import { ErrorNotice, SuccessNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { localeDateOrder, parseBirthDate, timeOfDay } from '../format';
import { useForm, useSave, type FieldErrors } from '../form';
import { useLatestState } from '../hooks';
import { householdTitle } from '../records';
import { href } from '../router';

type EntryField = 'area' | 'outcome' | 'headName' | 'address' | 'phone' | 'notes';
const BLANK: Record<EntryField, string> = { area: '', outcome: '', headName: '', address: '', phone: '', notes: '' };
/** The fields sent as the household; the outcome goes with the visit. */
const HOUSEHOLD_FIELDS = ['area', 'headName', 'address', 'phone', 'notes'] as const;
const LABELS: Record<EntryField, string> = {
  area: 'Area',
  outcome: 'Visit outcome',
  headName: 'Head of household',
  address: 'Address',
  phone: 'Phone',
  notes: 'Notes',
};
const HOUSEHOLD_LIMITS: Partial<Record<EntryField, number>> = TEXT_LIMITS.households;
interface PersonRow {
  key: number;
  fullName: string;
  dateOfBirth: string;
  gender: Gender;
}
type PersonField = 'fullName' | 'dateOfBirth' | 'gender';
const PERSON_LABELS: Record<PersonField, string> = { fullName: 'Name', dateOfBirth: 'Date of birth', gender: 'Gender' };
/** How many of the latest saves stay listed under the form. */
const RECENT = 8;
/** Adds a person row from any field of the form. */
const ADD_PERSON_KEY = 'p';

interface Saved {
  id: string;
  title: string;
  area: string;
  people: number;
  outcome: string;
  at: number;
}

const personFieldId = (index: number, field: PersonField) => `entry-person-${index}-${field}`;
const isBlankPerson = (p: PersonRow) => p.fullName.trim() === '' && p.dateOfBirth.trim() === '' && p.gender === 'unknown';

/** The core names fields by their place in the call (household.phone, people.1.fullName); the form by their id. */
function formFieldName(path: string): string {
  const person = /^people\.(\d+)\.(\w+)$/.exec(path);
  if (person) return `person-${person[1]}-${person[2]}`;
  return path.replace(/^household\./, '').replace(/^visit\..*$/, 'outcome');
}

/** Labels by the form's ids, and by the core's paths for the same fields: a refusal from the core names those. */
function fieldLabels(people: PersonRow[]): Record<string, string> {
  const labels: Record<string, string> = { ...LABELS, 'visit.outcome': LABELS.outcome };
  for (const key of HOUSEHOLD_FIELDS) labels[`household.${key}`] = LABELS[key];
  people.forEach((_, i) => {
    for (const [field, label] of Object.entries(PERSON_LABELS)) {
      labels[`person-${i}-${field}`] = labels[`people.${i}.${field}`] = `${label} of person ${i + 1}`;
    }
  });
  return labels;
}

/**
 * Keyboard-first entry of a household with its people and a visit, saved together in one transaction.
 * Enter in any field saves and opens the next blank form, keeping area and visit outcome; Alt+P adds
 * a person row and puts the cursor in its name. Focus goes back to the head of household.
 */
export function BatchEntryScreen() {
  const { values, setValues, current, errors, setErrors, set } = useForm(BLANK);
  const [people, setPeople, currentPeople] = useLatestState<PersonRow[]>([]);
  const [saved, setSaved] = useState<Saved[]>([]);
  const [total, setTotal] = useState(0);
  const nextKey = useRef(0);
  const [focusPerson, setFocusPerson] = useState<number | null>(null);
  const firstRecordField = useRef<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const { failure, saved: savedMessage, busy, save, refuse } = useSave(
    (fields) => setErrors(Object.fromEntries(Object.entries(fields).map(([path, message]) => [formFieldName(path), message]))),
    { labels: fieldLabels(people), form },
  );
  const datePattern = localeDateOrder().pattern;

  // Right after the render that adds the row, before the next keystroke: with a plain effect (after
  // paint) the first letters typed after Alt+P still went to the field that had focus.
  useLayoutEffect(() => {
    if (focusPerson === null) return;
    form.current?.querySelector<HTMLElement>(`#${personFieldId(focusPerson, 'fullName')}`)?.focus();
    setFocusPerson(null);
  }, [focusPerson]);

  const addPerson = () => {
    setPeople((rows) => [...rows, { key: nextKey.current++, fullName: '', dateOfBirth: '', gender: 'unknown' }]);
    setFocusPerson(people.length);
  };
  const removePerson = (index: number) => {
    setPeople((rows) => rows.filter((_, i) => i !== index));
    setErrors({});
    firstRecordField.current?.focus();
  };
  const setPerson = (index: number, field: PersonField) => (value: string) => {
    setPeople((rows) => rows.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
    const id = `person-${index}-${field}`;
    setErrors((e) => (e[id] ? { ...e, [id]: undefined } : e));
  };

  const saveAndNext = () => {
    // What was typed, even when Enter comes before the last keystroke has been rendered.
    const values = current();
    const people = currentPeople();
    const entered = people.filter((p) => !isBlankPerson(p));
    const household = { area: values.area, headName: values.headName, address: values.address, phone: values.phone, notes: values.notes };
    if (entered.length === 0 && !household.headName.trim() && !household.address.trim() && !household.phone.trim() && !household.notes.trim()) {
      refuse({ headName: 'type a head of household, an address or a person before saving' });
      return;
    }
    const dateErrors: FieldErrors = {};
    const dates = people.map((p, i) => {
      const parsed = parseBirthDate(p.dateOfBirth);
      if (!parsed.ok) dateErrors[`person-${i}-dateOfBirth`] = parsed.error;
      return parsed.ok ? parsed.value : null;
    });
    if (Object.keys(dateErrors).length > 0) {
      refuse(dateErrors);
      return;
    }
    return save(async () => {
      // Blank rows are dropped; the others keep their index for the core's field errors.
      const rows = people.map((p, i) => ({ p, dateOfBirth: dates[i] ?? null })).filter(({ p }) => !isBlankPerson(p));
      if (rows.length !== people.length) setPeople(rows.map(({ p }) => p));
      const result = await call('records.enterHousehold', {
        household,
        people: rows.map(({ p, dateOfBirth }) => ({ fullName: p.fullName, dateOfBirth, gender: p.gender })),
        visit: values.outcome ? { visitedAt: Date.now(), outcome: values.outcome as VisitOutcome, notes: '' } : undefined,
      });
      const entry = { id: result.household.id, title: householdTitle(household), area: household.area, people: result.people.length, outcome: values.outcome, at: Date.now() };
      setSaved((list) => [entry, ...list].slice(0, RECENT));
      setTotal((n) => n + 1);
      setValues({ ...BLANK, area: values.area, outcome: values.outcome });
      setPeople([]);
      firstRecordField.current?.focus();
      const what = [entry.people === 1 ? '1 person' : entry.people ? `${entry.people} people` : '', result.visit ? 'a visit' : ''].filter(Boolean);
      return `Saved ${entry.title}${what.length ? ` with ${what.join(' and ')}` : ''}.`;
    });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (event.altKey && event.key.toLowerCase() === ADD_PERSON_KEY) {
      event.preventDefault();
      addPerson();
      return;
    }
    // Enter saves from any field, selects included; on a button it keeps its own meaning.
    if (event.key !== 'Enter' || target.tagName === 'BUTTON' || target.tagName === 'A') return;
    event.preventDefault();
    void saveAndNext();
  };

  const field = (key: EntryField) => ({ id: `entry-${key}`, value: values[key], onValue: set(key), error: errors[key], maxLength: HOUSEHOLD_LIMITS[key] });
  return html`<${ScreenTitle} title="Batch entry">
      <a class="button secondary" href=${href('households')}>Households</a>
    <//>
    <p class="muted">Type a household, add its people with <kbd>Alt</kbd>+<kbd>P</kbd>, and press <kbd>Enter</kbd> to save them all
      and start the next one. Area and visit outcome stay as they are.</p>
    <div class="batch">
      <form ref=${form} onSubmit=${(e: Event) => { e.preventDefault(); void saveAndNext(); }} onKeyDown=${onKeyDown} novalidate aria-label="Batch entry"
        class="batch-form" aria-busy=${busy ? 'true' : 'false'}>
        <${ErrorNotice} message=${failure} />
        <fieldset class="form-grid">
          <legend>Kept for every household</legend>
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
        <${LikelyDuplicates} typed=${{ area: values.area, names: [values.headName, ...people.map((p) => p.fullName)], phone: values.phone }} />
        <fieldset class="people-rows">
          <legend>People (${people.length})</legend>
          ${people.map(
            (person, i) => html`<div class="person-row" key=${person.key} role="group" aria-label=${`Person ${i + 1}`}>
              <${Field} id=${personFieldId(i, 'fullName')} label=${`Name of person ${i + 1}`} value=${person.fullName} onValue=${setPerson(i, 'fullName')}
                error=${errors[`person-${i}-fullName`]} maxLength=${TEXT_LIMITS.people.fullName} required />
              <${Field} id=${personFieldId(i, 'dateOfBirth')} label="Date of birth" hint=${datePattern} value=${person.dateOfBirth}
                onValue=${setPerson(i, 'dateOfBirth')} error=${errors[`person-${i}-dateOfBirth`]} />
              <${Field} id=${personFieldId(i, 'gender')} label="Gender" type="select" options=${GENDERS} value=${person.gender}
                onValue=${setPerson(i, 'gender')} error=${errors[`person-${i}-gender`]} />
              <button type="button" class="button small secondary" onClick=${() => removePerson(i)}>Remove person ${i + 1}</button>
            </div>`,
          )}
          <button type="button" class="button secondary" onClick=${addPerson}>Add a person <kbd>Alt</kbd>+<kbd>P</kbd></button>
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button primary" disabled=${busy}>Save and next <kbd>Enter</kbd></button>
        </div>
        <${SuccessNotice} message=${savedMessage} />
      </form>
      <aside class="batch-side" aria-labelledby="batch-count-title">
        <h2 id="batch-count-title">Saved this session</h2>
        <p class="big-count" role="status" data-testid="batch-count">${total.toLocaleString()}</p>
        <ul class="recent" aria-label="Latest saved">
          ${saved.map(
            (s) => html`<li key=${s.id}>
              <a href=${href(`households/${s.id}`)}>${s.title}</a>
              <span class="muted"> ${s.area}${s.people ? `, ${s.people === 1 ? '1 person' : `${s.people} people`}` : ''}${s.outcome ? `, ${s.outcome.replace(/_/g, ' ')}` : ''} · ${timeOfDay(s.at)}</span>
            </li>`,
          )}
        </ul>
      </aside>
    </div>`;
}

