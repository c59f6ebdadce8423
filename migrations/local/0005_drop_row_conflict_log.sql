DROP TABLE `conflict_log`;--> statement-breakpoint
ALTER TABLE `households` ADD `base_stamps` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `people` ADD `base_stamps` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `visits` ADD `base_stamps` text DEFAULT '{}' NOT NULL;