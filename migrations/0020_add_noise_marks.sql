CREATE TABLE `noise_marks` (
	`issue_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`host_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`target` text DEFAULT '' NOT NULL,
	`reason` text NOT NULL,
	`marked_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `noise_marks_host_idx` ON `noise_marks` (`org_id`,`host_id`);