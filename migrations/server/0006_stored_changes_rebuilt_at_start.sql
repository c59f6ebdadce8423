CREATE TABLE `stored_changes` (
	`table_name` text PRIMARY KEY NOT NULL,
	`format` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `conflicts` ADD `change` text;--> statement-breakpoint
ALTER TABLE `households` ADD `change` text;--> statement-breakpoint
ALTER TABLE `people` ADD `change` text;--> statement-breakpoint
ALTER TABLE `visits` ADD `change` text;