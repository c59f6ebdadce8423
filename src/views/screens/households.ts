import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { dateTime } from '../format';
import { useDebounced, useLoad } from '../hooks';
import type { Household } from '../records';
import { href, navigate } from '../router';

const PAGE_SIZE = 50;
/** Typing pauses this long before the list asks the core again. */
const SEARCH_DEBOUNCE_MS = 250;

/**
 * Households, one keyset page at a time: the core reads only the rows shown, so the list stays quick
 * at 100,000 households. `cursors` holds the `after` of every page visited, for "Previous".
 */
export function HouseholdsScreen({ initialSearch }: { initialSearch: string }) {
  const [search, setSearch] = useState(initialSearch);
  const settled = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  // Paging belongs to one search: a new search starts at page 1 in the same render, so the list
  // never asks for the old search's page of the new search first.
  const [paging, setPaging] = useState<{ search: string; cursors: (string | null)[] }>({ search: settled, cursors: [null] });
  const cursors = paging.search === settled ? paging.cursors : [null];
  const after = cursors[cursors.length - 1] ?? null;
  const setCursors = (next: (string | null)[]) => setPaging({ search: settled, cursors: next });

  useEffect(() => {
    // Keep the search in the address so Back from a household returns to the same list.
    navigate('households', { q: settled }, { replace: true });
  }, [settled]);

  const page = useLoad(async () => {
    const result = await call('records.list', { table: 'households', search: settled || undefined, after, limit: PAGE_SIZE });
    return { ...result, search: settled };
  }, [settled, after]);
  const rows = (page.data?.items ?? []) as Household[];
  const first = (cursors.length - 1) * PAGE_SIZE;

  return html`<${ScreenTitle} title="Households">
      <a class="button primary" href=${href('households/new')}>New household</a>
    <//>
    <div class="toolbar" role="search">
      <${Field} id="household-search" label="Search by head, address, phone or area" value=${search} onValue=${setSearch}
        type="text" />
    </div>
    <${ErrorNotice} message=${page.error} />
    <p class="muted" role="status" data-testid="households-summary" data-search=${page.data?.search}>
      ${page.data
        ? page.data.total === 0
          ? 'No households match.'
          : `Showing ${(first + 1).toLocaleString()}–${(first + rows.length).toLocaleString()} of ${page.data.total.toLocaleString()}`
        : 'Loading…'}
    </p>
    <table class=${page.loading ? 'data loading' : 'data'} data-testid="households-table">
      <caption class="visually-hidden">Households</caption>
      <thead>
        <tr><th scope="col">Head of household</th><th scope="col">Area</th><th scope="col">Address</th><th scope="col">Phone</th><th scope="col">Last change</th></tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr key=${row.id}>
            <td><a href=${href(`households/${row.id}`)}>${row.headName || '(no name)'}</a></td>
            <td>${row.area}</td>
            <td>${row.address}</td>
            <td>${row.phone}</td>
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
    </nav>`;
}
