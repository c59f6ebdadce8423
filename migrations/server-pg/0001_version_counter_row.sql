-- The counter's one row, so the first push can lock it (SELECT ... FOR UPDATE) like every other.
INSERT INTO "version_counter" ("id", "version") VALUES (1, 0);
