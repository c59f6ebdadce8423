-- Each synced table gains `change`: the row as a pull serves it, written by SQLite with the row.
-- SQLite cannot add a STORED generated column to a table, so each table is rebuilt, its rows
-- copied (their `change` computed on the way) and its index made again.
CREATE TABLE `__new_households` (
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
	`notes` text DEFAULT '' NOT NULL,
	`entered_by` text DEFAULT '' NOT NULL,
	`change` text GENERATED ALWAYS AS (json_object('table', 'households', 'version', "server_version", 'row', json_object('id', "id", 'createdAt', "created_at", 'updatedAt', "updated_at", 'machineId', "machine_id", 'deletedAt', "deleted_at", 'area', "area", 'address', "address", 'headName', "head_name", 'phone', "phone", 'geoLat', "geo_lat", 'geoLng', "geo_lng", 'notes', "notes", 'enteredBy', "entered_by"))) STORED NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_households` (`id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `area`, `address`, `head_name`, `phone`, `geo_lat`, `geo_lng`, `notes`, `entered_by`) SELECT `id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `area`, `address`, `head_name`, `phone`, `geo_lat`, `geo_lng`, `notes`, `entered_by` FROM `households`;--> statement-breakpoint
DROP TABLE `households`;--> statement-breakpoint
ALTER TABLE `__new_households` RENAME TO `households`;--> statement-breakpoint
CREATE UNIQUE INDEX `households_server_version_idx` ON `households` (`server_version`);--> statement-breakpoint
CREATE TABLE `__new_people` (
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
	`attributes` text DEFAULT '{}' NOT NULL,
	`entered_by` text DEFAULT '' NOT NULL,
	`change` text GENERATED ALWAYS AS (json_object('table', 'people', 'version', "server_version", 'row', json_object('id', "id", 'createdAt', "created_at", 'updatedAt', "updated_at", 'machineId', "machine_id", 'deletedAt', "deleted_at", 'householdId', "household_id", 'fullName', "full_name", 'dateOfBirth', "date_of_birth", 'gender', "gender", 'phone', "phone", 'idDocument', "id_document", 'attributes', json("attributes"), 'enteredBy', "entered_by"))) STORED NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_people` (`id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `household_id`, `full_name`, `date_of_birth`, `gender`, `phone`, `id_document`, `attributes`, `entered_by`) SELECT `id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `household_id`, `full_name`, `date_of_birth`, `gender`, `phone`, `id_document`, `attributes`, `entered_by` FROM `people`;--> statement-breakpoint
DROP TABLE `people`;--> statement-breakpoint
ALTER TABLE `__new_people` RENAME TO `people`;--> statement-breakpoint
CREATE UNIQUE INDEX `people_server_version_idx` ON `people` (`server_version`);--> statement-breakpoint
CREATE TABLE `__new_visits` (
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
	`entered_by` text DEFAULT '' NOT NULL,
	`change` text GENERATED ALWAYS AS (json_object('table', 'visits', 'version', "server_version", 'row', json_object('id', "id", 'createdAt', "created_at", 'updatedAt', "updated_at", 'machineId', "machine_id", 'deletedAt', "deleted_at", 'householdId', "household_id", 'visitedAt', "visited_at", 'outcome', "outcome", 'notes', "notes", 'answers', json("answers"), 'enteredBy', "entered_by"))) STORED NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_visits` (`id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `household_id`, `visited_at`, `outcome`, `notes`, `answers`, `entered_by`) SELECT `id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `household_id`, `visited_at`, `outcome`, `notes`, `answers`, `entered_by` FROM `visits`;--> statement-breakpoint
DROP TABLE `visits`;--> statement-breakpoint
ALTER TABLE `__new_visits` RENAME TO `visits`;--> statement-breakpoint
CREATE UNIQUE INDEX `visits_server_version_idx` ON `visits` (`server_version`);
