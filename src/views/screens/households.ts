import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { ContractInput } from '../../ipc/contract';
import { VISIT_OUTCOMES, type VisitOutcome } from '../../shared/vocabulary';
import { call } from '../bridge';
import { Field } from '../components/field';
import { ExportPanel } from '../components/export-panel';
import { ErrorNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { UndoNotice, type Undoable } from '../components/undo';
import { dateTime, localeDateOrder, parseLocalDateTime } from '../format';
import { useDebounced, useLoad, useReloadOnSync } from '../hooks';
import type { Household } from '../records';
import { href, navigate } from '../router';

const PAGE_SIZE = 50;
/** Typing pauses this long before the list asks the core again. */
const SEARCH_DEBOUNCE_MS = 150;
const DAY_MS = 86_400_000;

type SortColumn = 'headName' | 'area' | 'enteredBy';
const COLUMNS: { key: SortColumn | null; label: string }[] = [
  { key: 'headName', label: 'Head of household' },
  { key: 'area', label: 'Area' },
  { key: null, label: 'Address' },
  { key: null, label: 'Phone' },
  { key: 'enteredBy', label: 'Entered by' },
  { key: null, label: 'Last change' },
];

/** What the list shows, as the address keeps it (so Back from a household returns to the same list). */
interface ListState {
  q: string;
  area: string;
  enteredBy: string;
  outcome: string;
  from: string;
  to: string;
  sort: string;
  desc: string;
}
const FILTER_LABELS = { area: 'Area', enteredBy: 'Entered by (username)', outcome: 'Visit outcome', from: 'Visited from', to: 'Visited to' } as const;

function stateFrom(query: Record<string, string>): ListState {
  const { q = '', area = '', enteredBy = '', outcome = '', from = '', to = '', sort = '', desc = '' } = query;
  return { q, area, enteredBy, outcome, from, to, sort, desc };
}

type ListInput = Extract<ContractInput<'records.list'>, { table: 'households' }>;

/** The core's query for the settled state; dates that do not parse are reported, not sent. */
function listQuery(state: ListState): { query: Omit<ListInput, 'after'>; dateErrors: Record<string, string> } {
  const dateErrors: Record<string, string> = {};
  const day = (key: 'from' | 'to') => {
    if (!state[key].trim()) return undefined;
    const parsed = parseLocalDateTime(state[key], '');
    if (!parsed.ok) dateErrors[key] = parsed.error;
    return parsed.ok ? parsed.value + (key === 'to' ? DAY_MS - 1 : 0) : undefined;
  };
  const visited = { outcome: (state.outcome || undefined) as VisitOutcome | undefined, from: day('from'), to: day('to') };
  const hasVisited = Object.values(visited).some((v) => v !== undefined);
  const filters = { area: state.area.trim() || undefined, enteredBy: state.enteredBy.trim().toLowerCase() || undefined };
  return {
    query: {
      table: 'households',
      search: state.q.trim() || undefined,
      filters: filters.area || filters.enteredBy ? filters : undefined,
      visited: hasVisited ? visited : undefined,
      sort: state.sort ? { by: state.sort as SortColumn, descending: state.desc === '1' } : undefined,
      limit: PAGE_SIZE,
    },
    dateErrors,
  };
}

/**
 * Households, one keyset page at a time: the core reads only the rows shown, so the list stays quick
 * at 100,000 households. Search is full-text (the start of any word of the household or its people),
 * with filters and sortable columns. `cursors` holds the `after` of every page visited, for "Previous".
 */
export function HouseholdsScreen({ query }: { query: Record<string, string> }) {
  const [state, setState] = useState(() => stateFrom(query));
  const settled = useDebounced(state, SEARCH_DEBOUNCE_MS);
  const { query: listInput, dateErrors } = listQuery(settled);
  const key = JSON.stringify(listInput);
  // Paging belongs to one query: a new one starts at page 1 in the same render, so the list never
  // asks for the old query's page of the new query first.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key, cursors: [null] });
  const cursors = paging.key === key ? paging.cursors : [null];
  const after = cursors[cursors.length - 1] ?? null;
  const setCursors = (next: (string | null)[]) => setPaging({ key, cursors: next });
  const [undoable, setUndoable] = useState<Undoable | null>(() =>
    query.deleted ? { table: 'households', id: query.deleted, what: query.what || 'the household' } : null,
  );

  useEffect(() => {
    navigate('households', { ...settled }, { replace: true });
  }, [key]);

  const page = useLoad(async () => {
    const result = await call('records.list', { ...listInput, after });
    return { ...result, search: settled.q.trim() };
  }, [key, after]);
  // Records a pull brought show up without leaving the screen.
  useReloadOnSync(page.reload);
  const rows = (page.data?.items ?? []) as Household[];
  const first = (cursors.length - 1) * PAGE_SIZE;
  const set = (field: keyof ListState) => (value: string) => setState((s) => ({ ...s, [field]: value }));
  const sortBy = (column: SortColumn) =>
    setState((s) => ({ ...s, sort: column, desc: s.sort === column && s.desc !== '1' ? '1' : '' }));
  const areas = useLoad(() => call('records.areas', {}), []);
  useReloadOnSync(areas.reload);
  const datePattern = localeDateOrder().pattern;
  const total = page.data ? `${page.data.totalIsLowerBound ? 'more than ' : ''}${page.data.total.toLocaleString()}` : '';

  return html`<${ScreenTitle} title="Households">
      <a class="button primary" href=${href('households/new')}>New household</a>
    <//>
    <${UndoNotice} undoable=${undoable} onUndone=${page.reload} onDismiss=${() => setUndoable(null)} />
    <div class="toolbar" role="search">
      <${Field} id="household-search" label="Search by head, address, phone, area or a person's name" value=${state.q} onValue=${set('q')}
        type="text" autoFocus />
    </div>
    <details class="filters" open=${Boolean(query.area || query.enteredBy || query.outcome || query.from || query.to)}>
      <summary>Filters</summary>
      <div class="filter-grid">
        <${Field} id="filter-area" label=${FILTER_LABELS.area} value=${state.area} onValue=${set('area')} suggestions=${areas.data ?? []} />
        <${Field} id="filter-enteredBy" label=${FILTER_LABELS.enteredBy} value=${state.enteredBy} onValue=${set('enteredBy')} />
        <${Field} id="filter-outcome" label=${FILTER_LABELS.outcome} type="select" options=${VISIT_OUTCOMES} emptyOption="Any"
          value=${state.outcome} onValue=${set('outcome')} />
        <${Field} id="filter-from" label=${FILTER_LABELS.from} hint=${datePattern} value=${state.from} onValue=${set('from')} error=${dateErrors.from} />
        <${Field} id="filter-to" label=${FILTER_LABELS.to} hint=${datePattern} value=${state.to} onValue=${set('to')} error=${dateErrors.to} />
      </div>
    </details>
    <${ErrorNotice} message=${page.error} />
    <p class="muted" role="status" data-testid="households-summary" data-search=${page.data?.search}>
      ${page.data
        ? page.data.total === 0
          ? 'No households match.'
          : `Showing ${(first + 1).toLocaleString()}–${(first + rows.length).toLocaleString()} of ${total}`
        : 'Loading…'}
    </p>
    <table class=${page.loading ? 'data loading' : 'data'} data-testid="households-table">
      <caption class="visually-hidden">Households</caption>
      <thead>
        <tr>
          ${COLUMNS.map((column) => {
            if (!column.key) return html`<th scope="col">${column.label}</th>`;
            const sorted = settled.sort === column.key;
            const ariaSort = sorted ? (settled.desc === '1' ? 'descending' : 'ascending') : undefined;
            return html`<th scope="col" aria-sort=${ariaSort}>
              <button type="button" class="sort" onClick=${() => sortBy(column.key!)}>
                ${column.label}<span aria-hidden="true">${sorted ? (settled.desc === '1' ? ' ▼' : ' ▲') : ''}</span>
              </button>
            </th>`;
          })}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr key=${row.id}>
            <td class="breakable"><a href=${href(`households/${row.id}`)}>${row.headName || '(no name)'}</a></td>
            <td class="breakable">${row.area}</td>
            <td class="breakable">${row.address}</td>
            <td class="breakable">${row.phone}</td>
            <td>${row.enteredBy}</td>
            <td>${dateTime(row.updatedAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <nav class="pager" aria-label="Pages">
      <button type="button" class="button secondary" disabled=${cursors.length === 1}
        onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>
      <span class="muted">Page ${cursors.length.toLocaleString()}</span>
      <button type="button" class="button secondary" disabled=${!page.data?.nextAfter}
        onClick=${() => page.data?.nextAfter && setCursors([...cursors, page.data.nextAfter])}>Next page</button>
      ${settled.sort
        ? html`<button type="button" class="button secondary" onClick=${() => setState((s) => ({ ...s, sort: '', desc: '' }))}>Newest first</button>`
        : null}
    </nav>
    <${ExportPanel} query=${{ search: listInput.search, filters: listInput.filters, visited: listInput.visited }} />`;
}
