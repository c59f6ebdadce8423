import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecordTableName } from '../../ipc/contract';
import { call, errorMessage } from '../bridge';

/** A delete that can still be taken back: what it was, in words, and the record to restore. */
export interface Undoable {
  table: RecordTableName;
  id: string;
  /** "Amina Bello", "the visit of 3 Mar 2026, 14:30". */
  what: string;
}

/**
 * "Deleted X." with Undo, right after a delete. Focus moves to Undo so a keyboard user can take it
 * back at once (also when the delete led to another screen: the button is that screen's first
 * control to focus); after the restore it stays on the notice saying so, not lost with the button.
 * The restore is a new change that syncs like any edit.
 */
export function UndoNotice({ undoable, onUndone, onDismiss }: { undoable: Undoable | null; onUndone: () => void; onDismiss: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const undoButton = useRef<HTMLButtonElement>(null);
  const restored = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!undoable) return;
    setMessage(null);
    setFailure(null);
    undoButton.current?.focus();
  }, [undoable]);
  useEffect(() => restored.current?.focus(), [message]);

  const undo = async () => {
    if (!undoable) return;
    try {
      await call('records.restore', { table: undoable.table, id: undoable.id });
      setMessage(`Restored ${undoable.what}.`);
      onDismiss();
      onUndone();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  };

  return html`<div class="notice-slot" role="status">
    ${undoable
      ? html`<div class="notice success undo" data-testid="undo-notice">
          Deleted ${undoable.what}.
          <button type="button" class="button small secondary" ref=${undoButton} onClick=${undo} data-autofocus>Undo</button>
          ${failure ? html`<span class="field-error">${failure}</span>` : null}
        </div>`
      : message
        ? html`<div class="notice success" ref=${restored} tabindex="-1">${message}</div>`
        : null}
  </div>`;
}
