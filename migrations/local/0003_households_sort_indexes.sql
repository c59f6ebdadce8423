DROP INDEX `households_area_idx`;--> statement-breakpoint
CREATE INDEX `households_head_name_idx` ON `households` (`head_name`,`id`);--> statement-breakpoint
CREATE INDEX `households_entered_by_idx` ON `households` (`entered_by`,`id`);--> statement-breakpoint
CREATE INDEX `households_area_idx` ON `households` (`area`,`id`);