import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { GENDERS, VISIT_OUTCOMES, type Gender, type VisitOutcome } from '../../shared/vocabulary';
import { call, errorMessage } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice, Loading } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { FIELD_LABELS, humanize } from '../../shared/field-labels';
import { TEXT_LIMITS } from '../../shared/text-limits';
import { UndoNotice, type Undoable } from '../components/undo';
import { dateTime, isoDay, localDate, localeDateOrder, localTime, parseBirthDate, parseLocalDateTime, shortId } from '../format';
import { enterSubmits, useForm, useSave } from '../form';
import { useLoad, useReloadOnSync } from '../hooks';
import { householdTitle, type Household, type Person, type Visit } from '../records';
import { href, navigate } from '../router';

/** Enough for one household's people and visits; the list says so if there are more. */
const CHILD_LIMIT = 200;

export function HouseholdDetailScreen({ id }: { id: string }) {
  const household = useLoad(async () => (await call('records.get', { table: 'households', id })) as Household, [id]);
  const people = useLoad(() => call('records.list', { table: 'people', filters: { householdId: id }, limit: CHILD_LIMIT }), [id]);
  const visits = useLoad(() => call('records.list', { table: 'visits', filters: { householdId: id }, limit: CHILD_LIMIT }), [id]);
  const reloadAll = useCallback(() => {
    household.reload();
    people.reload();
    visits.reload();
  }, [household.reload, people.reload, visits.reload]);
  // A pull may have changed this household, and a push makes "not yet synced" untrue.
  useReloadOnSync(reloadAll);
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [undoable, setUndoable] = useState<Undoable | null>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // Keyboard focus follows the question and comes back to Delete when it is withdrawn.
  useEffect(() => {
    if (confirming) keepButton.current?.focus();
    else if (asked.current) deleteButton.current?.focus();
    asked.current ||= confirming;
  }, [confirming]);

  const row = household.data;
  if (!row) {
    return html`<${ScreenTitle} title="Household" /><${ErrorNotice} message=${household.error} />${household.error ? null : html`<${Loading} />`}`;
  }

  const remove = async () => {
    try {
      await call('records.delete', { table: 'households', id });
      // The list says what was deleted and offers to undo it.
      navigate('households', { deleted: id, what: householdTitle(row) });
    } catch (error) {
      setDeleteError(errorMessage(error));
    }
  };

  const childDeleted = (next: Undoable) => {
    setUndoable(next);
    reloadAll();
  };

  return html`<${ScreenTitle} title=${householdTitle(row)}>
      <a class="button secondary" href=${href('households')}>Back to list</a>
      <a class="button primary" href=${href(`households/${id}/edit`)}>Edit</a>
      ${confirming
        ? html`<span class="confirm" role="group" aria-label="Confirm delete">
            <span>Delete this household with its people and visits?</span>
            <button type="button" class="button danger" onClick=${remove}>Yes, delete</button>
            <button type="button" class="button secondary" ref=${keepButton} onClick=${() => setConfirming(false)}>Keep it</button>
          </span>`
        : html`<button type="button" class="button danger" ref=${deleteButton} onClick=${() => setConfirming(true)}>Delete</button>`}
    <//>
    <${ErrorNotice} message=${deleteError} />
    <${UndoNotice} undoable=${undoable} onUndone=${reloadAll} onDismiss=${() => setUndoable(null)} />
    <dl class="facts panel">
      <dt>Area</dt><dd>${row.area}</dd>
      <dt>Address</dt><dd>${row.address || '—'}</dd>
      <dt>Phone</dt><dd>${row.phone || '—'}</dd>
      <dt>Location</dt><dd>${row.geoLat != null && row.geoLng != null ? `${row.geoLat}, ${row.geoLng}` : '—'}</dd>
      <dt>Notes</dt><dd class="pre">${row.notes || '—'}</dd>
      <dt>Entered by</dt><dd>${row.enteredBy || '—'}</dd>
      <dt>Last change</dt><dd data-testid="last-change">${dateTime(row.updatedAt)} on machine ${shortId(row.machineId)}${row.dirty ? ' (not yet synced)' : ''}</dd>
    </dl>
    <div class="columns">
      <section aria-labelledby="people-title">
        <h2 id="people-title">People (${people.data?.total ?? '…'})</h2>
        <${ErrorNotice} message=${people.error} />
        <table class="data">
          <thead><tr><th scope="col">Name</th><th scope="col">Born</th><th scope="col">Gender</th><th scope="col">Phone</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${((people.data?.items ?? []) as Person[]).map(
              (p) => html`<${PersonRow} key=${p.id} person=${p} onChanged=${people.reload} onDeleted=${childDeleted} />`,
            )}
          </tbody>
        </table>
        <details class="add-form">
          <summary>Add a person</summary>
          <${PersonForm} householdId=${id} onSaved=${people.reload} />
        </details>
      </section>
      <section aria-labelledby="visits-title">
        <h2 id="visits-title">Visits (${visits.data?.total ?? '…'})</h2>
        <${ErrorNotice} message=${visits.error} />
        <table class="data">
          <thead><tr><th scope="col">When</th><th scope="col">Outcome</th><th scope="col">By</th><th scope="col">Notes</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${((visits.data?.items ?? []) as Visit[]).map(
              (v) => html`<${VisitRow} key=${v.id} visit=${v} onChanged=${visits.reload} onDeleted=${childDeleted} />`,
            )}
          </tbody>
        </table>
        <details class="add-form">
          <summary>Record a visit</summary>
          <${VisitForm} householdId=${id} onSaved=${visits.reload} />
        </details>
      </section>
    </div>`;
}

interface RowProps {
  onChanged: () => void;
  onDeleted: (undoable: Undoable) => void;
}

/** A row's Edit and Delete; Edit swaps the row for its form, Escape or Cancel swaps it back. */
function useRowEditing() {
  const [editing, setEditing] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (!editing && wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return { editing, setEditing, failure, setFailure, editButton };
}

function PersonRow({ person, onChanged, onDeleted }: RowProps & { person: Person }) {
  const { editing, setEditing, failure, setFailure, editButton } = useRowEditing();
  const remove = async () => {
    try {
      await call('records.delete', { table: 'people', id: person.id });
      onDeleted({ table: 'people', id: person.id, what: person.fullName });
    } catch (error) {
      setFailure(errorMessage(error));
    }
  };
  if (editing) {
    return html`<tr><td colspan="5">
      <${PersonForm} person=${person} householdId=${person.householdId} onSaved=${() => { setEditing(false); onChanged(); }}
        onCancel=${() => setEditing(false)} />
    </td></tr>`;
  }
  return html`<tr>
    <td class="breakable">${person.fullName}</td><td>${localDate(person.dateOfBirth) || '—'}</td><td>${humanize(person.gender)}</td>
    <td class="breakable">${person.phone}</td>
    <td><span class="row-actions">
      <button type="button" class="button small secondary" ref=${editButton} onClick=${() => setEditing(true)} aria-label=${`Edit ${person.fullName}`}>Edit</button>
      <button type="button" class="button small secondary" onClick=${remove} aria-label=${`Delete ${person.fullName}`}>Delete</button>
    </span>${failure ? html`<p class="field-error" role="alert">${failure}</p>` : null}</td>
  </tr>`;
}

function VisitRow({ visit, onChanged, onDeleted }: RowProps & { visit: Visit }) {
  const { editing, setEditing, failure, setFailure, editButton } = useRowEditing();
  const when = dateTime(visit.visitedAt);
  const remove = async () => {
    try {
      await call('records.delete', { table: 'visits', id: visit.id });
      onDeleted({ table: 'visits', id: visit.id, what: `the visit of ${when}` });
    } catch (error) {
      setFailure(errorMessage(error));
    }
  };
  if (editing) {
    return html`<tr><td colspan="5">
      <${VisitForm} visit=${visit} householdId=${visit.householdId} onSaved=${() => { setEditing(false); onChanged(); }}
        onCancel=${() => setEditing(false)} />
    </td></tr>`;
  }
  return html`<tr>
    <td>${when}</td><td>${humanize(visit.outcome)}</td><td>${visit.enteredBy}</td><td class="breakable pre">${visit.notes}</td>
    <td><span class="row-actions">
      <button type="button" class="button small secondary" ref=${editButton} onClick=${() => setEditing(true)} aria-label=${`Edit the visit of ${when}`}>Edit</button>
      <button type="button" class="button small secondary" onClick=${remove} aria-label=${`Delete the visit of ${when}`}>Delete</button>
    </span>${failure ? html`<p class="field-error" role="alert">${failure}</p>` : null}</td>
  </tr>`;
}

const { fullName, dateOfBirth, gender, phone, idDocument } = FIELD_LABELS.people;
const PERSON_LABELS = { fullName, dateOfBirth, gender, phone, idDocument };
const PERSON_LIMITS: Partial<Record<keyof typeof PERSON_LABELS, number>> = TEXT_LIMITS.people;

/** Adds a person (no `person`) or edits one. After an add the form is blank again, the cursor in Full name. */
function PersonForm({ householdId, person, onSaved, onCancel }: { householdId: string; person?: Person; onSaved: () => void; onCancel?: () => void }) {
  const blank = { fullName: '', dateOfBirth: '', gender: 'unknown', phone: '', idDocument: '' };
  const initial = person
    ? { fullName: person.fullName, dateOfBirth: localDate(person.dateOfBirth), gender: person.gender, phone: person.phone, idDocument: person.idDocument }
    : blank;
  const { values, setValues, current, errors, setErrors, set } = useForm(initial);
  const form = useRef<HTMLFormElement>(null);
  const { failure, saved, busy, save, refuse } = useSave(setErrors, { labels: PERSON_LABELS, form });
  const prefix = person ? `person-${person.id}` : 'person';
  useEffect(() => {
    if (person) form.current?.querySelector<HTMLElement>('input')?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    // What was typed, even if Enter came before the render of the last keystroke.
    const values = current();
    const dateOfBirth = parseBirthDate(values.dateOfBirth);
    if (!dateOfBirth.ok) {
      refuse({ dateOfBirth: dateOfBirth.error });
      return;
    }
    const record = {
      fullName: values.fullName,
      dateOfBirth: dateOfBirth.value,
      gender: values.gender as Gender,
      phone: values.phone,
      idDocument: values.idDocument,
    };
    await save(async () => {
      if (person) {
        await call('records.update', { table: 'people', id: person.id, values: record });
        onSaved();
        return;
      }
      const created = (await call('records.create', { table: 'people', values: { householdId, ...record } })) as Person;
      setValues(blank);
      onSaved();
      form.current?.querySelector<HTMLElement>('input')?.focus();
      return `Added ${created.fullName}.`;
    });
  };

  const field = (key: keyof typeof PERSON_LABELS) => ({
    id: `${prefix}-${key}`,
    label: PERSON_LABELS[key],
    value: values[key],
    onValue: set(key),
    error: errors[key],
    maxLength: PERSON_LIMITS[key],
  });
  return html`<form ref=${form} onSubmit=${submit} onKeyDown=${(e: KeyboardEvent) => (e.key === 'Escape' && onCancel ? onCancel() : enterSubmits(e))}
      novalidate aria-label=${person ? `Edit ${person.fullName}` : 'Add a person'} class="form-grid">
    <${ErrorNotice} message=${failure} />
    <${Field} ...${field('fullName')} required />
    <${Field} ...${field('dateOfBirth')} hint=${localeDateOrder().pattern} />
    <${Field} ...${field('gender')} type="select" options=${GENDERS} />
    <${Field} ...${field('phone')} type="tel" />
    <${Field} ...${field('idDocument')} />
    <div class="form-actions wide">
      <button type="submit" class="button primary" disabled=${busy}>${person ? 'Save person' : 'Add person'}</button>
      ${onCancel ? html`<button type="button" class="button secondary" onClick=${onCancel}>Cancel</button>` : null}
    </div>
    ${saved ? html`<p class="notice success wide" role="status">${saved}</p>` : null}
  </form>`;
}

const VISIT_LABELS = { visitedDate: 'Date of visit', visitedTime: 'Time', outcome: 'Outcome', notes: 'Notes' };

/** Records a visit (no `visit`) or edits one. Date and time are typed in the PC's locale. */
function VisitForm({ householdId, visit, onSaved, onCancel }: { householdId: string; visit?: Visit; onSaved: () => void; onCancel?: () => void }) {
  const now = Date.now();
  const at = visit?.visitedAt ?? now;
  const { values, setValues, current, errors, setErrors, set } = useForm({
    visitedDate: localDate(isoDay(at)),
    visitedTime: localTime(at),
    outcome: (visit?.outcome ?? VISIT_OUTCOMES[0]) as string,
    notes: visit?.notes ?? '',
  });
  const form = useRef<HTMLFormElement>(null);
  // The core names the timestamp; the form has it as a date and a time.
  const { failure, saved, busy, save, refuse } = useSave(({ visitedAt, ...fields }) => setErrors(visitedAt ? { ...fields, visitedDate: visitedAt } : fields), {
    labels: VISIT_LABELS,
    form,
  });
  const prefix = visit ? `visit-${visit.id}` : 'visit';
  useEffect(() => {
    if (visit) form.current?.querySelector<HTMLElement>('input')?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    // What was typed, even if Enter came before the render of the last keystroke.
    const values = current();
    const visitedAt = parseLocalDateTime(values.visitedDate, values.visitedTime);
    if (!visitedAt.ok) {
      refuse(/time/.test(visitedAt.error) ? { visitedTime: visitedAt.error } : { visitedDate: visitedAt.error });
      return;
    }
    const record = { visitedAt: visitedAt.value, outcome: values.outcome as VisitOutcome, notes: values.notes };
    await save(async () => {
      if (visit) {
        await call('records.update', { table: 'visits', id: visit.id, values: record });
        onSaved();
        return;
      }
      await call('records.create', { table: 'visits', values: { householdId, ...record } });
      const next = Date.now();
      setValues({ visitedDate: localDate(isoDay(next)), visitedTime: localTime(next), outcome: values.outcome, notes: '' });
      onSaved();
      return 'Visit recorded.';
    });
  };

  const field = (key: keyof typeof VISIT_LABELS) => ({ id: `${prefix}-${key}`, label: VISIT_LABELS[key], value: values[key], onValue: set(key), error: errors[key] });
  return html`<form ref=${form} onSubmit=${submit} onKeyDown=${(e: KeyboardEvent) => (e.key === 'Escape' && onCancel ? onCancel() : enterSubmits(e))}
      novalidate aria-label=${visit ? 'Edit the visit' : 'Record a visit'} class="form-grid">
    <${ErrorNotice} message=${failure} />
    <${Field} ...${field('visitedDate')} hint=${localeDateOrder().pattern} required />
    <${Field} ...${field('visitedTime')} hint="24-hour, e.g. 14:30" />
    <${Field} ...${field('outcome')} type="select" options=${VISIT_OUTCOMES} required />
    <${Field} ...${field('notes')} type="textarea" maxLength=${TEXT_LIMITS.visits.notes} wide />
    <div class="form-actions wide">
      <button type="submit" class="button primary" disabled=${busy}>${visit ? 'Save visit' : 'Record visit'}</button>
      ${onCancel ? html`<button type="button" class="button secondary" onClick=${onCancel}>Cancel</button>` : null}
    </div>
    ${saved ? html`<p class="notice success wide" role="status">${saved}</p>` : null}
  </form>`;
}
