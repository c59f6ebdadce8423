-- FTS5 merges its index segments in the commit of whichever write made them mergeable: at 100,000
-- households a pulled chunk's commit then held the write lock tens of ms longer, with a local save
-- waiting behind it. The sync worker merges instead, a bounded step at a time in transactions of
-- their own (src/db/search-batch.ts); a local save's segments are merged by the next pull, or by
-- FTS5's crisis merge once 16 wait on one level.
INSERT INTO `record_search` (`record_search`, `rank`) VALUES ('automerge', 0);
