import type { Session } from './session';

/**
 * A check is one behaviour of docs/sync-protocol.md, exercised over HTTP against any server; a group
 * collects the checks of one part of one protocol version. Adding a group (a new protocol version,
 * a new part) is one module that exports a CheckGroup, listed in ./groups.ts.
 */

export interface Check {
  /** What the server must do, as a sentence: "a replayed push is applied with its stored versions". */
  name: string;
  run(session: Session): Promise<void>;
}

export interface CheckGroup {
  /** The protocol version whose document states these behaviours. */
  protocolVersion: number;
  /** The part of the document, e.g. "5 Push". */
  name: string;
  checks: Check[];
}

export const check = (name: string, run: (session: Session) => Promise<void>): Check => ({ name, run });
