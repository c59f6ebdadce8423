-- Search documents rebuilt once per batch of writes instead of row by row (docs/sync-engine.md).
-- FTS5 writes its pending documents out at every statement of a transaction once the transaction has
-- written to it, so the triggers of 0004 made each pulled row an index segment of its own, and merging
-- those segments took most of a pull chunk's transaction. A writer of many rows (src/db/search-batch.ts)
-- now opens its transaction by writing the empty household id into `search_pending`; while that table
-- is not empty the triggers below only note the households whose documents changed, and the writer
-- rebuilds those households' documents with a few statements before it commits. Every other write is
-- indexed by the triggers as before. The triggers still name only the row that changed and the index's
-- own tables (see 0004).
CREATE TABLE `search_pending` (
  `household_id` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
DROP TRIGGER `households_search_insert`;
--> statement-breakpoint
DROP TRIGGER `households_search_update`;
--> statement-breakpoint
DROP TRIGGER `people_search_insert`;
--> statement-breakpoint
DROP TRIGGER `people_search_update`;
--> statement-breakpoint
CREATE TRIGGER `households_search_insert` AFTER INSERT ON `households` WHEN NOT EXISTS (SELECT 1 FROM search_pending) BEGIN
  INSERT INTO search_households (household_id) VALUES (new.id) ON CONFLICT DO NOTHING;
  INSERT INTO record_search (rowid, household_id, body)
    SELECT seq * 1048576, new.id, new.head_name || ' ' || new.address || ' ' || new.area || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') FROM search_households WHERE household_id = new.id AND new.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `households_search_update` AFTER UPDATE OF head_name, address, area, phone, deleted_at ON `households` WHEN NOT EXISTS (SELECT 1 FROM search_pending) BEGIN
  DELETE FROM record_search WHERE rowid = (SELECT seq * 1048576 FROM search_households WHERE household_id = old.id);
  INSERT INTO search_households (household_id) VALUES (new.id) ON CONFLICT DO NOTHING;
  INSERT INTO record_search (rowid, household_id, body)
    SELECT seq * 1048576, new.id, new.head_name || ' ' || new.address || ' ' || new.area || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') FROM search_households WHERE household_id = new.id AND new.deleted_at IS NULL;
  UPDATE record_search SET body = (SELECT own_text FROM search_people WHERE doc = record_search.rowid) || ' ' || new.head_name || ' ' || new.address || ' ' || new.area || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')
    WHERE rowid > (SELECT seq * 1048576 FROM search_households WHERE household_id = new.id)
      AND rowid < (SELECT (seq + 1) * 1048576 FROM search_households WHERE household_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `people_search_insert` AFTER INSERT ON `people` WHEN NOT EXISTS (SELECT 1 FROM search_pending) BEGIN
  INSERT INTO search_households (household_id) VALUES (new.household_id) ON CONFLICT DO NOTHING;
  INSERT INTO search_people (person_id, doc, own_text)
    SELECT new.id, coalesce((SELECT max(doc) + 1 FROM search_people WHERE doc BETWEEN seq * 1048576 AND seq * 1048576 + 1048576 - 1), seq * 1048576 + 1), new.full_name || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')
    FROM search_households WHERE household_id = new.household_id;
  INSERT INTO record_search (rowid, household_id, body)
    SELECT p.doc, new.household_id, p.own_text || ' ' || coalesce((SELECT body FROM record_search WHERE rowid = h.seq * 1048576), '')
    FROM search_people p JOIN search_households h ON h.household_id = new.household_id
    WHERE p.person_id = new.id AND new.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `people_search_update` AFTER UPDATE OF household_id, full_name, phone, deleted_at ON `people` WHEN NOT EXISTS (SELECT 1 FROM search_pending) BEGIN
  DELETE FROM record_search WHERE rowid = (SELECT doc FROM search_people WHERE person_id = old.id);
  DELETE FROM search_people WHERE person_id = old.id;
  INSERT INTO search_households (household_id) VALUES (new.household_id) ON CONFLICT DO NOTHING;
  INSERT INTO search_people (person_id, doc, own_text)
    SELECT new.id, coalesce((SELECT max(doc) + 1 FROM search_people WHERE doc BETWEEN seq * 1048576 AND seq * 1048576 + 1048576 - 1), seq * 1048576 + 1), new.full_name || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')
    FROM search_households WHERE household_id = new.household_id;
  INSERT INTO record_search (rowid, household_id, body)
    SELECT p.doc, new.household_id, p.own_text || ' ' || coalesce((SELECT body FROM record_search WHERE rowid = h.seq * 1048576), '')
    FROM search_people p JOIN search_households h ON h.household_id = new.household_id
    WHERE p.person_id = new.id AND new.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `households_search_note_insert` AFTER INSERT ON `households` WHEN EXISTS (SELECT 1 FROM search_pending) BEGIN
  INSERT INTO search_pending (household_id) VALUES (new.id) ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `households_search_note_update` AFTER UPDATE OF head_name, address, area, phone, deleted_at ON `households` WHEN EXISTS (SELECT 1 FROM search_pending) BEGIN
  INSERT INTO search_pending (household_id) VALUES (new.id) ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `people_search_note_insert` AFTER INSERT ON `people` WHEN EXISTS (SELECT 1 FROM search_pending) BEGIN
  INSERT INTO search_pending (household_id) VALUES (new.household_id) ON CONFLICT DO NOTHING;
END;
--> statement-breakpoint
CREATE TRIGGER `people_search_note_update` AFTER UPDATE OF household_id, full_name, phone, deleted_at ON `people` WHEN EXISTS (SELECT 1 FROM search_pending) BEGIN
  INSERT INTO search_pending (household_id) VALUES (old.household_id), (new.household_id) ON CONFLICT DO NOTHING;
END;
