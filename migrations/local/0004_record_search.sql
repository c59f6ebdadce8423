-- Full-text search over households (head, address, area, phone) and their people (name, phone).
-- Local only: the sync server never sees these tables.
--
-- One FTS document per live record. A household's document holds its own fields; a person's holds
-- the person's name and phone and also the household's fields, so that one document answers a
-- search such as "south fatima" (the household's area and a person's name) with an ordinary AND
-- of prefix terms. Documents are numbered by household: the household gets a sequence number `seq`
-- (search_households) and its document is seq * 2^20; each person's is the next free number above
-- it (search_people, which also keeps the person's own text). So the index read in descending
-- rowid order yields household by household, newest household first, and a search stops after one
-- page. These numbers are our own, independent of table rowids (which VACUUM and rebuilds renumber).
--
-- Triggers keep the index true for every writer (the repository and the pull worker alike). They
-- read only the row that changed and this index's own tables: a trigger that named another synced
-- table would make drizzle-kit's table rebuilds fail ("error in trigger: no such table").
-- Prefix indexes of 1-3 characters serve the first keystrokes of a search.
CREATE TABLE `search_households` (
  `seq` integer PRIMARY KEY,
  `household_id` text NOT NULL UNIQUE
);
--> statement-breakpoint
CREATE TABLE `search_people` (
  `person_id` text PRIMARY KEY NOT NULL,
  `doc` integer NOT NULL UNIQUE,
  `own_text` text NOT NULL
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `record_search` USING fts5(household_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
--> statement-breakpoint
CREATE TRIGGER `households_search_insert` AFTER INSERT ON `households` BEGIN
  INSERT INTO search_households (household_id) VALUES (new.id) ON CONFLICT DO NOTHING;
  INSERT INTO record_search (rowid, household_id, body)
    SELECT seq * 1048576, new.id, new.head_name || ' ' || new.address || ' ' || new.area || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') FROM search_households WHERE household_id = new.id AND new.deleted_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `households_search_update` AFTER UPDATE OF head_name, address, area, phone, deleted_at ON `households` BEGIN
  DELETE FROM record_search WHERE rowid = (SELECT seq * 1048576 FROM search_households WHERE household_id = old.id);
  INSERT INTO search_households (household_id) VALUES (new.id) ON CONFLICT DO NOTHING;
  INSERT INTO record_search (rowid, household_id, body)
    SELECT seq * 1048576, new.id, new.head_name || ' ' || new.address || ' ' || new.area || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') FROM search_households WHERE household_id = new.id AND new.deleted_at IS NULL;
  UPDATE record_search SET body = (SELECT own_text FROM search_people WHERE doc = record_search.rowid) || ' ' || new.head_name || ' ' || new.address || ' ' || new.area || ' ' || new.phone || ' ' || replace(replace(replace(replace(replace(new.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')
    WHERE rowid > (SELECT seq * 1048576 FROM search_households WHERE household_id = new.id)
      AND rowid < (SELECT (seq + 1) * 1048576 FROM search_households WHERE household_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `households_search_delete` AFTER DELETE ON `households` BEGIN
  DELETE FROM record_search WHERE rowid = (SELECT seq * 1048576 FROM search_households WHERE household_id = old.id);
  DELETE FROM search_households WHERE household_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `people_search_insert` AFTER INSERT ON `people` BEGIN
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
CREATE TRIGGER `people_search_update` AFTER UPDATE OF household_id, full_name, phone, deleted_at ON `people` BEGIN
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
CREATE TRIGGER `people_search_delete` AFTER DELETE ON `people` BEGIN
  DELETE FROM record_search WHERE rowid = (SELECT doc FROM search_people WHERE person_id = old.id);
  DELETE FROM search_people WHERE person_id = old.id;
END;
--> statement-breakpoint
INSERT INTO search_households (household_id) SELECT id FROM households ORDER BY id;
--> statement-breakpoint
INSERT INTO record_search (rowid, household_id, body) SELECT s.seq * 1048576, h.id, h.head_name || ' ' || h.address || ' ' || h.area || ' ' || h.phone || ' ' || replace(replace(replace(replace(replace(h.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') FROM households h JOIN search_households s ON s.household_id = h.id WHERE h.deleted_at IS NULL;
--> statement-breakpoint
INSERT INTO search_people (person_id, doc, own_text) SELECT p.id, s.seq * 1048576 + row_number() OVER (PARTITION BY p.household_id ORDER BY p.id), p.full_name || ' ' || p.phone || ' ' || replace(replace(replace(replace(replace(p.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') FROM people p JOIN search_households s ON s.household_id = p.household_id;
--> statement-breakpoint
INSERT INTO record_search (rowid, household_id, body) SELECT d.doc, p.household_id, d.own_text || ' ' || h.head_name || ' ' || h.address || ' ' || h.area || ' ' || h.phone || ' ' || replace(replace(replace(replace(replace(h.phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '') FROM people p JOIN search_people d ON d.person_id = p.id JOIN households h ON h.id = p.household_id WHERE p.deleted_at IS NULL;
