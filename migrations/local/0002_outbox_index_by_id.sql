DROP INDEX `households_dirty_idx`;--> statement-breakpoint
CREATE INDEX `households_dirty_idx` ON `households` (`id`) WHERE "dirty" = 1;--> statement-breakpoint
DROP INDEX `people_dirty_idx`;--> statement-breakpoint
CREATE INDEX `people_dirty_idx` ON `people` (`id`) WHERE "dirty" = 1;--> statement-breakpoint
DROP INDEX `visits_dirty_idx`;--> statement-breakpoint
CREATE INDEX `visits_dirty_idx` ON `visits` (`id`) WHERE "dirty" = 1;