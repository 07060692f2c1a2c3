CREATE TABLE `scope_overrides` (
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`thresholds` text NOT NULL,
	`rules` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `kind`, `key`),
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `commands` ADD `requested_by` text;--> statement-breakpoint
ALTER TABLE `commands` ADD `requester_name` text;--> statement-breakpoint
ALTER TABLE `commands` ADD `approval` text;--> statement-breakpoint
ALTER TABLE `commands` ADD `approved_by` text;