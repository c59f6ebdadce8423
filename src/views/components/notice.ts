import { html } from 'htm/preact';

/** A failure the user must see; announced at once. */
export function ErrorNotice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return html`<div class="notice error" role="alert">${message}</div>`;
}

/** Good news, announced politely. */
export function SuccessNotice({ message }: { message: string | null | undefined }) {
  return html`<div class="notice-slot" role="status">${message ? html`<div class="notice success">${message}</div>` : null}</div>`;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return html`<p class="muted" role="status">${what}…</p>`;
}
