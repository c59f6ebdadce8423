-- The households' `change` writes geo_lat and geo_lng through their shortest round-trip text:
-- json_object writes a REAL with 15 significant digits, so 179.99999999999997 was served as 180.0
-- (docs/sync-protocol.md 11.1: numbers round-trip). SQLite cannot change a generated column's
-- expression, so the table is rebuilt, its rows copied (their `change` computed again) and its index
-- made again. people and visits have no REAL column.
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
	`change` text GENERATED ALWAYS AS (json_object('table', 'households', 'version', "server_version", 'row', json_object('id', "id", 'createdAt', "created_at", 'updatedAt', "updated_at", 'machineId', "machine_id", 'deletedAt', "deleted_at", 'area', "area", 'address', "address", 'headName', "head_name", 'phone', "phone", 'geoLat', json(CAST("geo_lat" AS TEXT)), 'geoLng', json(CAST("geo_lng" AS TEXT)), 'notes', "notes", 'enteredBy', "entered_by"))) STORED NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_households` (`id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `area`, `address`, `head_name`, `phone`, `geo_lat`, `geo_lng`, `notes`, `entered_by`) SELECT `id`, `created_at`, `updated_at`, `machine_id`, `deleted_at`, `server_version`, `area`, `address`, `head_name`, `phone`, `geo_lat`, `geo_lng`, `notes`, `entered_by` FROM `households`;--> statement-breakpoint
DROP TABLE `households`;--> statement-breakpoint
ALTER TABLE `__new_households` RENAME TO `households`;--> statement-breakpoint
CREATE UNIQUE INDEX `households_server_version_idx` ON `households` (`server_version`);
