import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import { HEADERS, PATHS, type PullResponse, type PushResponse } from '../../src/protocol/wire';

/** A client's-eye view of the sync server: real HTTP over loopback, as the sync engine speaks it. */

/** A record as a protocol v1 client sends it (v2 adds `updatedBy` and `fieldStamps`). */
export type TestRecord = Record<string, unknown> & { id: string; createdAt: number; updatedAt: number; machineId: string; deletedAt: number | null };

export const machineA = 'a'.repeat(64);
export const machineB = 'b'.repeat(64);
export const randomMachine = () => crypto.randomBytes(32).toString('hex');

export interface Endpoint {
  url: string;
  apiKey: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

export async function request(server: Endpoint, req: RawRequest): Promise<RawResponse> {
  const response = await fetch(server.url + (req.path ?? PATHS.health), {
    method: req.method ?? 'GET',
    headers: req.headers,
    body: req.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json };
}

export function authHeaders(server: Endpoint, machineId = machineA): Record<string, string> {
  return { authorization: `Bearer ${server.apiKey}`, [HEADERS.machineId]: machineId };
}

/** POSTs a body to /push.php as the client does: JSON, gzip unless told otherwise. */
export function pushRaw(server: Endpoint, body: unknown, options: { machineId?: string; gzip?: boolean } = {}) {
  const json = Buffer.from(JSON.stringify(body));
  const gzip = options.gzip ?? true;
  return request(server, {
    method: 'POST',
    path: PATHS.push,
    headers: {
      ...authHeaders(server, options.machineId),
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: new Uint8Array(gzip ? zlib.gzipSync(json, { level: 1 }) : json),
  });
}

export interface Change {
  table: string;
  row: Record<string, unknown>;
}

export async function push(server: Endpoint, changes: Change[], machineId = machineA): Promise<PushResponse> {
  const response = await pushRaw(server, { changes }, { machineId });
  if (response.status !== 200) throw new Error(`push failed: ${response.status} ${JSON.stringify(response.json)}`);
  return response.json as PushResponse;
}

export async function pull(server: Endpoint, since = 0, limit = 1000, machineId = machineA): Promise<PullResponse> {
  const response = await request(server, {
    path: `${PATHS.pull}?since=${since}&limit=${limit}`,
    headers: { ...authHeaders(server, machineId), 'accept-encoding': 'gzip' },
  });
  if (response.status !== 200) throw new Error(`pull failed: ${response.status} ${JSON.stringify(response.json)}`);
  return response.json as PullResponse;
}

/** Every change from `since` to the end, page by page. */
export async function pullAll(server: Endpoint, since = 0, limit = 1000): Promise<PullResponse['changes']> {
  const all: PullResponse['changes'] = [];
  for (let page = 0; page < 10_000; page++) {
    const result = await pull(server, since, limit);
    all.push(...result.changes);
    since = result.cursor;
    if (!result.hasMore) return all;
  }
  throw new Error('pullAll: too many pages');
}

// ---- records ----

let clockForTests = Date.now() - 60_000;
/** Increasing stamps in the recent past, so they are never "in the future" for the server. */
export const stamp = () => ++clockForTests;

function replicated(machineId: string) {
  const at = stamp();
  return { id: uuidv7(), createdAt: at, updatedAt: at, machineId, deletedAt: null };
}

export function household(overrides: Partial<TestRecord> = {}): TestRecord {
  return {
    ...replicated(overrides.machineId ?? machineA),
    area: 'North',
    address: '12 River Road',
    headName: 'Amina Diallo',
    phone: '+221 555 0100',
    geoLat: 14.69,
    geoLng: -17.44,
    notes: '',
    enteredBy: 'fieldworker1',
    ...overrides,
  };
}

export function person(householdId: string, overrides: Partial<TestRecord> = {}): TestRecord {
  return {
    ...replicated(overrides.machineId ?? machineA),
    householdId,
    fullName: 'Moussa Diallo',
    dateOfBirth: '1984-03-02',
    gender: 'male',
    phone: '',
    idDocument: 'SN-123',
    attributes: { languages: ['wo', 'fr'], literate: true },
    enteredBy: 'fieldworker1',
    ...overrides,
  };
}

export function visit(householdId: string, overrides: Partial<TestRecord> = {}): TestRecord {
  return {
    ...replicated(overrides.machineId ?? machineA),
    householdId,
    visitedAt: stamp(),
    outcome: 'completed',
    notes: 'All present',
    answers: { q1: 'yes', q2: 3, water: { source: 'well', distanceM: 250 }, crops: ['millet', 'peanut'] },
    enteredBy: 'fieldworker1',
    ...overrides,
  };
}

// ---- server state ----

export { dumpSqlite as dump, openDumper, type Dump } from '../support/test-databases';
