ALTER TABLE `households` ADD `entered_by` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `people` ADD `entered_by` text DEFAULT '' NOT NULL;