import { PATHS } from '../protocol/wire';
import { CheckFailure, expectThat, show } from './expect';
import { expectOk, identified, pushBody, randomMachineId, send, type Target } from './client';

export interface Change {
  table: string;
  row: Record<string, unknown>;
}

export interface Result {
  table: string;
  id: string;
  status: string;
  version?: number;
  reason?: string;
  message?: string;
}

export interface PulledChange {
  table: string;
  version: number;
  row: Record<string, unknown>;
}

export interface Page {
  changes: PulledChange[];
  cursor: number;
  hasMore: boolean;
}

const isVersion = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * One run of checks against one server: its clock (stamps are made in the server's recent past, so
 * they are never "in the future" whatever this machine's clock says), a machine ID of its own, and
 * the round trips most checks need. Rows get random ids, so the server may hold anything already.
 */
export class Session {
  readonly machineId = randomMachineId();
  private lastStamp: number;

  private constructor(
    readonly target: Target,
    readonly serverTimeAtStart: number,
  ) {
    this.lastStamp = serverTimeAtStart - 10 * 60_000;
  }

  static async open(target: Target): Promise<Session> {
    const answer = await send(target, { path: PATHS.health });
    const serverTime = (answer.json as { serverTime?: unknown } | undefined)?.serverTime;
    if (answer.status !== 200 || !Number.isSafeInteger(serverTime)) {
      throw new Error(`${target.url}${PATHS.health} did not answer 200 with a serverTime (got ${answer.status} ${show(answer.json ?? answer.text)}); is this a BLOS sync server?`);
    }
    return new Session(target, serverTime as number);
  }

  /** Strictly increasing stamps, ten minutes behind the server's clock at the start of the run. */
  stamp(): number {
    this.lastStamp += 1;
    return this.lastStamp;
  }

  /** Pushes changes and returns their results, failing the check unless the answer is a 200 with one result per change. */
  async push(changes: Change[], machineId = this.machineId): Promise<Result[]> {
    const body = expectOk('push', await pushBody(this.target, { changes }, { machineId }));
    const results = body.results as Result[] | undefined;
    expectThat('push results', Array.isArray(results) && results.length === changes.length, `${changes.length} results`, body);
    expectThat('push serverTime', Number.isSafeInteger(body.serverTime), 'an integer serverTime', body.serverTime);
    return results!;
  }

  /** Pushes one change that must be applied; returns its version. */
  async store(change: Change, machineId = this.machineId): Promise<number> {
    const [result] = await this.push([change], machineId);
    if (result!.status !== 'applied' || !isVersion(result!.version)) {
      throw new CheckFailure(`pushing a valid ${change.table} record`, 'status "applied" with a positive version', show(result));
    }
    return result!.version;
  }

  async pull(since: number | string, limit: number | string, machineId = this.machineId): Promise<Page> {
    const answer = await send(this.target, { path: `${PATHS.pull}?since=${since}&limit=${limit}`, headers: identified(this.target, machineId) });
    const body = expectOk(`pull since=${since} limit=${limit}`, answer);
    const page = body as unknown as Page;
    expectThat(
      'pull answer',
      Array.isArray(page.changes) && Number.isSafeInteger(page.cursor) && typeof page.hasMore === 'boolean' && Number.isSafeInteger(body.serverTime),
      '{"changes": [...], "cursor": integer, "hasMore": boolean, "serverTime": integer}',
      body,
    );
    return page;
  }

  /** The change the server holds under this version (exactly one change has it). */
  async changeAt(version: number): Promise<PulledChange> {
    const page = await this.pull(version - 1, 1);
    const change = page.changes[0];
    if (!change || change.version !== version) {
      throw new CheckFailure(`pull since=${version - 1} limit=1`, `the change with version ${version}`, show(page.changes));
    }
    return change;
  }

  /**
   * Whether the server stored a record, told by last-write-wins: a copy one millisecond older is
   * superseded if the record is stored, applied if it is not (and is then stored, harmlessly).
   */
  async expectNotStored(what: string, change: Change): Promise<void> {
    const older = { ...change.row, updatedAt: (change.row.updatedAt as number) - 1 };
    const [probe] = await this.push([{ table: change.table, row: older }]);
    expectThat(what, probe!.status === 'applied', 'nothing stored (an older copy pushed after it is applied)', probe);
  }
}
