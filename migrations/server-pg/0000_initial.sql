CREATE TABLE "conflicts" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"machine_id" text NOT NULL,
	"updated_by" text DEFAULT '' NOT NULL,
	"field_stamps" json DEFAULT '{}'::json NOT NULL,
	"deleted_at" bigint,
	"server_version" bigint NOT NULL,
	"record_table" text NOT NULL,
	"record_id" text NOT NULL,
	"field" text NOT NULL,
	"lost_value" json,
	"won_value" json,
	"lost_at" bigint NOT NULL,
	"lost_machine_id" text NOT NULL,
	"lost_by" text DEFAULT '' NOT NULL,
	"won_at" bigint NOT NULL,
	"won_machine_id" text NOT NULL,
	"won_by" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"machine_id" text NOT NULL,
	"updated_by" text DEFAULT '' NOT NULL,
	"field_stamps" json DEFAULT '{}'::json NOT NULL,
	"deleted_at" bigint,
	"server_version" bigint NOT NULL,
	"area" text NOT NULL,
	"address" text DEFAULT '' NOT NULL,
	"head_name" text DEFAULT '' NOT NULL,
	"phone" text DEFAULT '' NOT NULL,
	"geo_lat" double precision,
	"geo_lng" double precision,
	"notes" text DEFAULT '' NOT NULL,
	"entered_by" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "machines" (
	"machine_id" text PRIMARY KEY NOT NULL,
	"first_seen_at" bigint NOT NULL,
	"last_push_at" bigint,
	"last_pull_at" bigint,
	"rows_pushed" bigint DEFAULT 0 NOT NULL,
	"rows_pulled" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"machine_id" text NOT NULL,
	"updated_by" text DEFAULT '' NOT NULL,
	"field_stamps" json DEFAULT '{}'::json NOT NULL,
	"deleted_at" bigint,
	"server_version" bigint NOT NULL,
	"household_id" text NOT NULL,
	"full_name" text NOT NULL,
	"date_of_birth" text,
	"gender" text DEFAULT 'unknown' NOT NULL,
	"phone" text DEFAULT '' NOT NULL,
	"id_document" text DEFAULT '' NOT NULL,
	"attributes" json DEFAULT '{}'::json NOT NULL,
	"entered_by" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "version_counter" (
	"id" bigint PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"machine_id" text NOT NULL,
	"updated_by" text DEFAULT '' NOT NULL,
	"field_stamps" json DEFAULT '{}'::json NOT NULL,
	"deleted_at" bigint,
	"server_version" bigint NOT NULL,
	"household_id" text NOT NULL,
	"visited_at" bigint NOT NULL,
	"outcome" text NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"answers" json DEFAULT '{}'::json NOT NULL,
	"entered_by" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "conflicts_server_version_idx" ON "conflicts" USING btree ("server_version");--> statement-breakpoint
CREATE UNIQUE INDEX "households_server_version_idx" ON "households" USING btree ("server_version");--> statement-breakpoint
CREATE UNIQUE INDEX "people_server_version_idx" ON "people" USING btree ("server_version");--> statement-breakpoint
CREATE UNIQUE INDEX "visits_server_version_idx" ON "visits" USING btree ("server_version");