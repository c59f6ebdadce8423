CREATE TABLE `households` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`machine_id` text NOT NULL,
	`deleted_at` integer,
	`server_version` integer NOT NULL,
	`area` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`head_name` text DEFAULT '' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`geo_lat` real,
	`geo_lng` real,
	`notes` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `households_server_version_idx` ON `households` (`server_version`);--> statement-breakpoint
CREATE TABLE `machines` (
	`machine_id` text PRIMARY KEY NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_push_at` integer,
	`last_pull_at` integer,
	`rows_pushed` integer DEFAULT 0 NOT NULL,
	`rows_pulled` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `people` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`machine_id` text NOT NULL,
	`deleted_at` integer,
	`server_version` integer NOT NULL,
	`household_id` text NOT NULL,
	`full_name` text NOT NULL,
	`date_of_birth` text,
	`gender` text DEFAULT 'unknown' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`id_document` text DEFAULT '' NOT NULL,
	`attributes` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `people_server_version_idx` ON `people` (`server_version`);--> statement-breakpoint
CREATE TABLE `version_counter` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visits` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`machine_id` text NOT NULL,
	`deleted_at` integer,
	`server_version` integer NOT NULL,
	`household_id` text NOT NULL,
	`visited_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`answers` text DEFAULT '{}' NOT NULL,
	`entered_by` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `visits_server_version_idx` ON `visits` (`server_version`);