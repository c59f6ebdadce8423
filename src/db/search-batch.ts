import type { SqliteDatabase } from './connection';

/**
 * Many rows written with the search index (migrations 0004, 0008) brought up to date once, at the end,
 * instead of row by row from the triggers: FTS5 writes its pending documents out at every statement of
 * a transaction that has written to it, so indexing a pull row by row made each row an index segment of
 * its own, and merging them took most of the pull's time. While `search_pending` is not empty the
 * triggers only note the households whose documents changed; a batch rebuilds those
 * households' documents in the caller's transaction, so the rows are never seen without them.
 */

const SLOT = 2 ** 20;
const digits = (phone: string) => `replace(replace(replace(replace(replace(${phone}, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')`;
// The documents' text, exactly as the triggers of migration 0008 write it.
const householdText = `h.head_name || ' ' || h.address || ' ' || h.area || ' ' || h.phone || ' ' || ${digits('h.phone')}`;
const personText = `p.full_name || ' ' || p.phone || ' ' || ${digits('p.phone')}`;
// CROSS JOIN keeps the few pending households as the outer loop (SQLite never reorders it): its
// planner would otherwise scan the whole of a table and look each row up in search_pending.
const pendingSlots = `search_pending q CROSS JOIN search_households s ON s.household_id = q.household_id`;
const peopleInSlots = `${pendingSlots} CROSS JOIN search_people d ON d.doc BETWEEN s.seq * ${SLOT} AND s.seq * ${SLOT} + ${SLOT - 1}`;

const REBUILD = [
  // Numbers for households new to the index, in id order (uuid v7: the order they were created in).
  `INSERT INTO search_households (household_id)
     SELECT h.id FROM search_pending q CROSS JOIN households h ON h.id = q.household_id WHERE true ORDER BY h.id ON CONFLICT DO NOTHING`,
  `DELETE FROM record_search WHERE rowid IN (SELECT s.seq * ${SLOT} FROM ${pendingSlots} UNION ALL SELECT d.doc FROM ${peopleInSlots})`,
  `DELETE FROM search_people WHERE doc IN (SELECT d.doc FROM ${peopleInSlots})`,
  `INSERT INTO search_people (person_id, doc, own_text)
     SELECT p.id, s.seq * ${SLOT} + row_number() OVER (PARTITION BY p.household_id ORDER BY p.id), ${personText}
     FROM ${pendingSlots} CROSS JOIN people p ON p.household_id = q.household_id`,
  // In rowid order, as one statement: FTS5 also writes its pending documents out when a rowid comes below the last one.
  `INSERT INTO record_search (rowid, household_id, body)
     SELECT s.seq * ${SLOT}, h.id, ${householdText}
       FROM ${pendingSlots} CROSS JOIN households h ON h.id = q.household_id WHERE h.deleted_at IS NULL
     UNION ALL
     SELECT d.doc, p.household_id, d.own_text || ' ' || ${householdText}
       FROM search_pending q CROSS JOIN people p ON p.household_id = q.household_id CROSS JOIN search_people d ON d.person_id = p.id
       CROSS JOIN households h ON h.id = p.household_id WHERE p.deleted_at IS NULL
     ORDER BY 1`,
  `DELETE FROM search_pending`,
];

/** Prepares once per connection; the returned function runs `write` as one batch. */
export function searchBatch(sqlite: SqliteDatabase): <T>(write: () => T) => T {
  const open = sqlite.prepare("INSERT INTO search_pending (household_id) VALUES ('')");
  const rebuild = REBUILD.map((statement) => sqlite.prepare(statement));
  return (write) => {
    // Outside a transaction the mark would stay behind and every later write would go unindexed.
    if (!sqlite.inTransaction) throw new Error('A search batch runs inside a write transaction');
    open.run();
    const result = write();
    for (const statement of rebuild) statement.run();
    return result;
  };
}

/**
 * Index pages one merge step writes at most. FTS5's own merging is off (migration 0009): it ran in the
 * commit of whichever write made segments mergeable, holding the write lock tens of ms longer.
 */
const MERGE_STEP_PAGES = 100;

/**
 * Prepares once per connection; the returned function merges the search index's segments by one
 * bounded step, in a transaction of its own, and says whether there was anything to merge.
 */
export function searchMergeStep(sqlite: SqliteDatabase): () => boolean {
  const merge = sqlite.prepare(`INSERT INTO record_search (record_search, rank) VALUES ('merge', ${MERGE_STEP_PAGES})`);
  const totalChanges = sqlite.prepare('SELECT total_changes()').pluck();
  // Immediate: the step reads the index's structure before it writes, under the lock it writes with.
  const step = sqlite.transaction(() => merge.run());
  return () => {
    const before = totalChanges.get() as number;
    step.immediate();
    // FTS5 counts the command itself as one change; two or more mean it merged something.
    return (totalChanges.get() as number) - before >= 2;
  };
}
