import { html } from 'htm/preact';
import { call } from '../bridge';
import { useDebounced, useLoad } from '../hooks';
import { householdTitle } from '../records';
import { href } from '../router';

/** Typing pauses this long before the PC is asked for likely duplicates. */
const DUPLICATE_CHECK_MS = 300;

export interface TypedHousehold {
  area: string;
  /** The head of household and the names of the people being entered with it. */
  names: readonly string[];
  phone: string;
}

/**
 * Households already on this PC that the one being typed may be (the same phone; a similar name in
 * the same area): the worker opens the existing record instead of registering it twice.
 */
export function LikelyDuplicates({ typed }: { typed: TypedHousehold }) {
  const asked = useDebounced(
    JSON.stringify({ area: typed.area, names: typed.names.map((n) => n.trim()).filter(Boolean), phone: typed.phone }),
    DUPLICATE_CHECK_MS,
  );
  const found = useLoad(() => call('records.likelyDuplicates', JSON.parse(asked)), [asked]).data ?? [];
  return html`<section class="duplicates" aria-live="polite" aria-label="Possible duplicates">
    ${found.length > 0
      ? html`<p class="duplicates-title">Already on this PC? Open it instead of entering it again:</p>
          <ul>
            ${found.map(
              ({ household, reason }) => html`<li key=${household.id}>
                <a href=${href(`households/${household.id}`)}>${householdTitle(household)}</a>
                <span class="muted"> ${household.area}${household.phone ? `, ${household.phone}` : ''} · ${reason === 'phone' ? 'same phone number' : `similar name in ${household.area}`}</span>
              </li>`,
            )}
          </ul>`
      : null}
  </section>`;
}
