import { html } from 'htm/preact';
import { useRef } from 'preact/hooks';
import { call } from '../bridge';
import { Field } from '../components/field';
import { LikelyDuplicates } from '../components/likely-duplicates';
import { ErrorNotice, Loading } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { FIELD_LABELS } from '../../shared/field-labels';
import { TEXT_LIMITS } from '../../shared/text-limits';
import { useForm, useSave } from '../form';
import { useLoad } from '../hooks';
import { householdTitle, numberText, optionalNumber, type Household } from '../records';
import { href, navigate } from '../router';

type HouseholdField = 'area' | 'address' | 'headName' | 'phone' | 'geoLat' | 'geoLng' | 'notes';
const LABELS: Record<HouseholdField, string> = FIELD_LABELS.households;
const LIMITS = TEXT_LIMITS.households;

function formValues(row?: Household): Record<HouseholdField, string> {
  return {
    area: row?.area ?? '',
    address: row?.address ?? '',
    headName: row?.headName ?? '',
    phone: row?.phone ?? '',
    geoLat: numberText(row?.geoLat),
    geoLng: numberText(row?.geoLng),
    notes: row?.notes ?? '',
  };
}

/** New household (no id), offering the likely duplicates of what is typed, or edit of an existing one. */
export function HouseholdFormScreen({ id }: { id?: string }) {
  const existing = useLoad(async () => (id ? ((await call('records.get', { table: 'households', id })) as Household) : undefined), [id]);
  if (id && !existing.data) {
    return html`<${ScreenTitle} title="Edit household" /><${ErrorNotice} message=${existing.error} />${existing.error ? null : html`<${Loading} />`}`;
  }
  return html`<${HouseholdForm} key=${id ?? 'new'} row=${existing.data} />`;
}

function HouseholdForm({ row }: { row?: Household }) {
  const { values, current, errors, setErrors, set } = useForm(formValues(row));
  const form = useRef<HTMLFormElement>(null);
  const { failure, busy, save, refuse } = useSave(setErrors, { labels: LABELS, form });

  const submit = async (event: Event) => {
    event.preventDefault();
    // What was typed, even if Enter came before the render of the last keystroke.
    const values = current();
    const location = { geoLat: optionalNumber(values.geoLat), geoLng: optionalNumber(values.geoLng) };
    const notNumbers = (['geoLat', 'geoLng'] as const).filter((key) => Number.isNaN(location[key]));
    if (notNumbers.length > 0) {
      refuse(Object.fromEntries(notNumbers.map((key) => [key, 'a number, e.g. 9.0765'])));
      return;
    }
    // A location is a latitude and a longitude: one alone would be kept but shown nowhere.
    if ((location.geoLat === null) !== (location.geoLng === null)) {
      refuse(location.geoLat === null ? { geoLat: 'type it with the longitude, or clear both' } : { geoLng: 'type it with the latitude, or clear both' });
      return;
    }
    const record = {
      area: values.area,
      address: values.address,
      headName: values.headName,
      phone: values.phone,
      ...location,
      notes: values.notes,
    };
    await save(async () => {
      const saved = row
        ? await call('records.update', { table: 'households', id: row.id, values: record })
        : await call('records.create', { table: 'households', values: record });
      navigate(`households/${saved.id}`);
    });
  };

  return html`<${ScreenTitle} title=${row ? `Edit ${householdTitle(row)}` : 'New household'} />
    <form ref=${form} onSubmit=${submit} novalidate aria-label=${row ? 'Edit household' : 'New household'} class="form-grid">
      <${ErrorNotice} message=${failure} />
      <${Field} id="area" label="Area" value=${values.area} onValue=${set('area')} error=${errors.area} maxLength=${LIMITS.area} required autoFocus />
      <${Field} id="headName" label="Head of household" value=${values.headName} onValue=${set('headName')} error=${errors.headName} maxLength=${LIMITS.headName} />
      <${Field} id="address" label="Address" value=${values.address} onValue=${set('address')} error=${errors.address} maxLength=${LIMITS.address} wide />
      <${Field} id="phone" label="Phone" type="tel" value=${values.phone} onValue=${set('phone')} error=${errors.phone} maxLength=${LIMITS.phone} />
      ${row ? null : html`<${LikelyDuplicates} typed=${{ area: values.area, names: [values.headName], phone: values.phone }} />`}
      <${Field} id="geoLat" label="Latitude" type="decimal" value=${values.geoLat} onValue=${set('geoLat')} error=${errors.geoLat}
        hint="-90 to 90, optional" />
      <${Field} id="geoLng" label="Longitude" type="decimal" value=${values.geoLng} onValue=${set('geoLng')} error=${errors.geoLng}
        hint="-180 to 180, optional" />
      <${Field} id="notes" label="Notes" type="textarea" value=${values.notes} onValue=${set('notes')} error=${errors.notes} maxLength=${LIMITS.notes} wide />
      <div class="form-actions wide">
        <button type="submit" class="button primary" disabled=${busy}>${busy ? 'Saving…' : 'Save household'}</button>
        <a class="button secondary" href=${row ? href(`households/${row.id}`) : href('households')}>Cancel</a>
      </div>
    </form>`;
}
