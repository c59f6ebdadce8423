import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { GENDERS, VISIT_OUTCOMES } from '../../shared/vocabulary';
import { call, errorMessage } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice, Loading, SuccessNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { dateTime, humanize, shortId, toLocalInput } from '../format';
import { useForm, useSave } from '../form';
import { useLoad } from '../hooks';
import { householdTitle, type Household, type Person, type Visit } from '../records';
import { href, navigate } from '../router';

/** Enough for one household's people and visits; the list says so if there are more. */
const CHILD_LIMIT = 200;

export function HouseholdDetailScreen({ id }: { id: string }) {
  const household = useLoad(async () => (await call('records.get', { table: 'households', id })) as Household, [id]);
  const people = useLoad(() => call('records.list', { table: 'people', filters: { householdId: id }, limit: CHILD_LIMIT }), [id]);
  const visits = useLoad(() => call('records.list', { table: 'visits', filters: { householdId: id }, limit: CHILD_LIMIT }), [id]);
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
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
      navigate('households');
    } catch (error) {
      setDeleteError(errorMessage(error));
    }
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
    <dl class="facts panel">
      <dt>Area</dt><dd>${row.area}</dd>
      <dt>Address</dt><dd>${row.address || '—'}</dd>
      <dt>Phone</dt><dd>${row.phone || '—'}</dd>
      <dt>Location</dt><dd>${row.geoLat != null && row.geoLng != null ? `${row.geoLat}, ${row.geoLng}` : '—'}</dd>
      <dt>Notes</dt><dd class="pre">${row.notes || '—'}</dd>
      <dt>Last change</dt><dd>${dateTime(row.updatedAt)} on machine ${shortId(row.machineId)}${row.dirty ? ' (not yet synced)' : ''}</dd>
    </dl>
    <div class="columns">
      <section aria-labelledby="people-title">
        <h2 id="people-title">People (${people.data?.total ?? '…'})</h2>
        <${ErrorNotice} message=${people.error} />
        <table class="data">
          <thead><tr><th scope="col">Name</th><th scope="col">Born</th><th scope="col">Gender</th><th scope="col">Phone</th></tr></thead>
          <tbody>
            ${((people.data?.items ?? []) as Person[]).map(
              (p) => html`<tr key=${p.id}><td>${p.fullName}</td><td>${p.dateOfBirth ?? '—'}</td><td>${humanize(p.gender)}</td><td>${p.phone}</td></tr>`,
            )}
          </tbody>
        </table>
        <${AddPerson} householdId=${id} onSaved=${people.reload} />
      </section>
      <section aria-labelledby="visits-title">
        <h2 id="visits-title">Visits (${visits.data?.total ?? '…'})</h2>
        <${ErrorNotice} message=${visits.error} />
        <table class="data">
          <thead><tr><th scope="col">When</th><th scope="col">Outcome</th><th scope="col">By</th><th scope="col">Notes</th></tr></thead>
          <tbody>
            ${((visits.data?.items ?? []) as Visit[]).map(
              (v) => html`<tr key=${v.id}><td>${dateTime(v.visitedAt)}</td><td>${humanize(v.outcome)}</td><td>${v.enteredBy}</td><td>${v.notes}</td></tr>`,
            )}
          </tbody>
        </table>
        <${AddVisit} householdId=${id} onSaved=${visits.reload} />
      </section>
    </div>`;
}

function AddPerson({ householdId, onSaved }: { householdId: string; onSaved: () => void }) {
  const blank = { fullName: '', dateOfBirth: '', gender: 'unknown', phone: '', idDocument: '' };
  const { values, setValues, errors, setErrors, set } = useForm(blank);
  const { failure, saved, busy, save } = useSave(setErrors);

  const submit = async (event: Event) => {
    event.preventDefault();
    await save(async () => {
      const person = await call('records.create', {
        table: 'people',
        values: {
          householdId,
          fullName: values.fullName,
          dateOfBirth: values.dateOfBirth || null,
          gender: values.gender as (typeof GENDERS)[number],
          phone: values.phone,
          idDocument: values.idDocument,
        },
      });
      setValues(blank);
      onSaved();
      return `Added ${(person as Person).fullName}.`;
    });
  };

  return html`<details class="add-form">
    <summary>Add a person</summary>
    <form onSubmit=${submit} novalidate aria-label="Add a person" class="form-grid">
      <${ErrorNotice} message=${failure} />
      <${Field} id="person-fullName" label="Full name" value=${values.fullName} onValue=${set('fullName')} error=${errors.fullName} required />
      <${Field} id="person-dateOfBirth" label="Date of birth" type="date" value=${values.dateOfBirth} onValue=${set('dateOfBirth')}
        error=${errors.dateOfBirth} />
      <${Field} id="person-gender" label="Gender" type="select" options=${GENDERS} value=${values.gender} onValue=${set('gender')}
        error=${errors.gender} />
      <${Field} id="person-phone" label="Phone" type="tel" value=${values.phone} onValue=${set('phone')} error=${errors.phone} />
      <${Field} id="person-idDocument" label="ID document" value=${values.idDocument} onValue=${set('idDocument')} error=${errors.idDocument} />
      <div class="form-actions wide"><button type="submit" class="button primary" disabled=${busy}>Add person</button></div>
      <${SuccessNotice} message=${saved} />
    </form>
  </details>`;
}

function AddVisit({ householdId, onSaved }: { householdId: string; onSaved: () => void }) {
  const { values, setValues, errors, setErrors, set } = useForm({
    visitedAt: toLocalInput(Date.now()),
    outcome: VISIT_OUTCOMES[0] as string,
    notes: '',
  });
  const { failure, saved, busy, save, refuse } = useSave(setErrors);

  const submit = async (event: Event) => {
    event.preventDefault();
    const visitedAt = new Date(values.visitedAt).getTime();
    if (Number.isNaN(visitedAt)) {
      refuse({ visitedAt: 'a date and time' });
      return;
    }
    await save(async () => {
      await call('records.create', {
        table: 'visits',
        values: { householdId, visitedAt, outcome: values.outcome as (typeof VISIT_OUTCOMES)[number], notes: values.notes },
      });
      setValues({ visitedAt: toLocalInput(Date.now()), outcome: values.outcome, notes: '' });
      onSaved();
      return 'Visit recorded.';
    });
  };

  return html`<details class="add-form">
    <summary>Record a visit</summary>
    <form onSubmit=${submit} novalidate aria-label="Record a visit" class="form-grid">
      <${ErrorNotice} message=${failure} />
      <${Field} id="visit-visitedAt" label="Visited at" type="datetime-local" value=${values.visitedAt} onValue=${set('visitedAt')}
        error=${errors.visitedAt} required />
      <${Field} id="visit-outcome" label="Outcome" type="select" options=${VISIT_OUTCOMES} value=${values.outcome} onValue=${set('outcome')}
        error=${errors.outcome} required />
      <${Field} id="visit-notes" label="Notes" type="textarea" value=${values.notes} onValue=${set('notes')} error=${errors.notes} wide />
      <div class="form-actions wide"><button type="submit" class="button primary" disabled=${busy}>Record visit</button></div>
      <${SuccessNotice} message=${saved} />
    </form>
  </details>`;
}
