import type { CheckGroup } from './suite';
import { auth } from './v1/auth';
import { pull } from './v1/pull';
import { push } from './v1/push';
import { records } from './v1/records';
import { statusGroup } from './v1/status';
import { transport } from './v1/transport';
import { merge } from './v2/merge';

/** Every group, in the order they run: one line per module (a later protocol version adds its own). */
export const GROUPS: readonly CheckGroup[] = [transport, auth, records, push, pull, statusGroup, merge];
