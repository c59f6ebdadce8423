import type { SqliteDatabase } from './connection';

/** A supervisor's figures, read from the live (not deleted) records on this PC. */

export interface ReportRange {
  /** Epoch ms, inclusive; omitted: from the beginning. */
  from?: number;
  /** Epoch ms, inclusive; omitted: up to now and beyond. */
  to?: number;
}

export interface AreaCounts {
  area: string;
  households: number;
  people: number;
  visits: number;
}

export interface DayCounts {
  /** Local calendar day, YYYY-MM-DD. */
  day: string;
  households: number;
  visits: number;
}

export interface WorkerCounts {
  /** The username that entered the records ('' for records from before it was kept). */
  worker: string;
  households: number;
  people: number;
  visits: number;
}

export interface FollowUp {
  visitId: string;
  householdId: string;
  headName: string;
  address: string;
  area: string;
  phone: string;
  visitedAt: number;
  notes: string;
  enteredBy: string;
}

export interface Reports {
  byArea: AreaCounts[];
  byDay: DayCounts[];
  byWorker: WorkerCounts[];
  /** Visits with outcome follow_up and no later visit to that household, the longest waiting first. */
  followUps: FollowUp[];
  /** More follow-ups wait than the list holds. */
  followUpsTruncated: boolean;
}

/** Lists stay readable and the answer small; a supervisor narrows the range for more. */
const MAX_ROWS = 500;
const NO_END = Number.MAX_SAFE_INTEGER;

/**
 * Counts by area (all live records), by local day and by worker (records entered in the range:
 * households and people by created_at, visits by visited_at), and the open follow-ups. Days are the
 * PC's local days: the core runs on the PC whose clock the worker reads.
 */
export function readReports(sqlite: SqliteDatabase, range: ReportRange = {}): Reports {
  const span = { from: range.from ?? 0, to: range.to ?? NO_END };
  const byArea = sqlite
    .prepare(
      `SELECT h.area AS area, count(*) AS households,
         coalesce(sum((SELECT count(*) FROM people p WHERE p.household_id = h.id AND p.deleted_at IS NULL)), 0) AS people,
         coalesce(sum((SELECT count(*) FROM visits v WHERE v.household_id = h.id AND v.deleted_at IS NULL)), 0) AS visits
       FROM households h WHERE h.deleted_at IS NULL GROUP BY h.area ORDER BY h.area LIMIT ${MAX_ROWS}`,
    )
    .all() as AreaCounts[];
  const byDay = sqlite
    .prepare(
      `SELECT day, sum(households) AS households, sum(visits) AS visits FROM (
         SELECT date(created_at / 1000, 'unixepoch', 'localtime') AS day, 1 AS households, 0 AS visits
           FROM households WHERE deleted_at IS NULL AND created_at BETWEEN @from AND @to
         UNION ALL
         SELECT date(visited_at / 1000, 'unixepoch', 'localtime'), 0, 1
           FROM visits WHERE deleted_at IS NULL AND visited_at BETWEEN @from AND @to
       ) GROUP BY day ORDER BY day DESC LIMIT ${MAX_ROWS}`,
    )
    .all(span) as DayCounts[];
  const byWorker = sqlite
    .prepare(
      `SELECT worker, sum(households) AS households, sum(people) AS people, sum(visits) AS visits FROM (
         SELECT entered_by AS worker, 1 AS households, 0 AS people, 0 AS visits
           FROM households WHERE deleted_at IS NULL AND created_at BETWEEN @from AND @to
         UNION ALL
         SELECT entered_by, 0, 1, 0 FROM people WHERE deleted_at IS NULL AND created_at BETWEEN @from AND @to
         UNION ALL
         SELECT entered_by, 0, 0, 1 FROM visits WHERE deleted_at IS NULL AND visited_at BETWEEN @from AND @to
       ) GROUP BY worker ORDER BY worker LIMIT ${MAX_ROWS}`,
    )
    .all(span) as WorkerCounts[];
  const followUps = sqlite
    .prepare(
      `SELECT v.id AS visitId, h.id AS householdId, h.head_name AS headName, h.address AS address, h.area AS area,
         h.phone AS phone, v.visited_at AS visitedAt, v.notes AS notes, v.entered_by AS enteredBy
       FROM visits v JOIN households h ON h.id = v.household_id
       WHERE v.outcome = 'follow_up' AND v.deleted_at IS NULL AND h.deleted_at IS NULL
         AND v.visited_at BETWEEN @from AND @to
         AND NOT EXISTS (SELECT 1 FROM visits later WHERE later.household_id = v.household_id AND later.deleted_at IS NULL
           AND (later.visited_at > v.visited_at OR (later.visited_at = v.visited_at AND later.id > v.id)))
       ORDER BY v.visited_at, v.id LIMIT ${MAX_ROWS + 1}`,
    )
    .all(span) as FollowUp[];
  const followUpsTruncated = followUps.length > MAX_ROWS;
  if (followUpsTruncated) followUps.pop();
  return { byArea, byDay, byWorker, followUps, followUpsTruncated };
}
