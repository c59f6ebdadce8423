ALTER TABLE `households` DROP COLUMN `change`;--> statement-breakpoint
ALTER TABLE `people` DROP COLUMN `change`;--> statement-breakpoint
ALTER TABLE `visits` DROP COLUMN `change`;