CREATE TABLE `maintenance_windows` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`host_id` text,
	`host_group` text,
	`rule_id` text,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `maintenance_org_ends_idx` ON `maintenance_windows` (`org_id`,`ends_at`);--> statement-breakpoint
ALTER TABLE `issues` ADD `recovery_hold` text;