CREATE TABLE `conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`machine_id` text NOT NULL,
	`updated_by` text DEFAULT '' NOT NULL,
	`field_stamps` text DEFAULT '{}' NOT NULL,
	`deleted_at` integer,
	`server_version` integer NOT NULL,
	`record_table` text NOT NULL,
	`record_id` text NOT NULL,
	`field` text NOT NULL,
	`lost_value` text,
	`won_value` text,
	`lost_at` integer NOT NULL,
	`lost_machine_id` text NOT NULL,
	`lost_by` text DEFAULT '' NOT NULL,
	`won_at` integer NOT NULL,
	`won_machine_id` text NOT NULL,
	`won_by` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conflicts_server_version_idx` ON `conflicts` (`server_version`);--> statement-breakpoint
ALTER TABLE `households` ADD `updated_by` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `households` ADD `field_stamps` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `people` ADD `updated_by` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `people` ADD `field_stamps` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `visits` ADD `updated_by` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `visits` ADD `field_stamps` text DEFAULT '{}' NOT NULL;