CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_username_idx` ON `accounts` (`username`);--> statement-breakpoint
CREATE TABLE `conflict_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`lost` text NOT NULL,
	`lost_updated_at` integer NOT NULL,
	`lost_machine_id` text NOT NULL,
	`won_updated_at` integer NOT NULL,
	`won_machine_id` text NOT NULL,
	`resolved_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conflict_log_resolved_idx` ON `conflict_log` (`resolved_at`);--> statement-breakpoint
CREATE TABLE `households` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`machine_id` text NOT NULL,
	`deleted_at` integer,
	`server_version` integer,
	`dirty` integer DEFAULT true NOT NULL,
	`area` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`head_name` text DEFAULT '' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`geo_lat` real,
	`geo_lng` real,
	`notes` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `households_dirty_idx` ON `households` (`dirty`) WHERE "dirty" = 1;--> statement-breakpoint
CREATE INDEX `households_area_idx` ON `households` (`area`);--> statement-breakpoint
CREATE TABLE `instance_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `login_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_failures_username_at_idx` ON `login_failures` (`username`,`at`);--> statement-breakpoint
CREATE TABLE `people` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`machine_id` text NOT NULL,
	`deleted_at` integer,
	`server_version` integer,
	`dirty` integer DEFAULT true NOT NULL,
	`household_id` text NOT NULL,
	`full_name` text NOT NULL,
	`date_of_birth` text,
	`gender` text DEFAULT 'unknown' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`id_document` text DEFAULT '' NOT NULL,
	`attributes` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`household_id`) REFERENCES `households`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `people_dirty_idx` ON `people` (`dirty`) WHERE "dirty" = 1;--> statement-breakpoint
CREATE INDEX `people_household_idx` ON `people` (`household_id`);--> statement-breakpoint
CREATE TABLE `pull_parked` (
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`row` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pull_parked_row_idx` ON `pull_parked` (`table_name`,`row_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sync_rejections` (
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`updated_at` integer NOT NULL,
	`reason` text NOT NULL,
	`message` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sync_rejections_row_idx` ON `sync_rejections` (`table_name`,`row_id`);--> statement-breakpoint
CREATE TABLE `sync_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`pull_cursor` integer DEFAULT 0 NOT NULL,
	`last_push_at` integer,
	`last_pull_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE TABLE `visits` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`machine_id` text NOT NULL,
	`deleted_at` integer,
	`server_version` integer,
	`dirty` integer DEFAULT true NOT NULL,
	`household_id` text NOT NULL,
	`visited_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`answers` text DEFAULT '{}' NOT NULL,
	`entered_by` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`household_id`) REFERENCES `households`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `visits_dirty_idx` ON `visits` (`dirty`) WHERE "dirty" = 1;--> statement-breakpoint
CREATE INDEX `visits_household_idx` ON `visits` (`household_id`);--> statement-breakpoint
CREATE INDEX `visits_visited_at_idx` ON `visits` (`visited_at`);