CREATE TABLE `guardrail_resets` (
	`org_id` text NOT NULL,
	`host_id` text NOT NULL,
	`target` text DEFAULT '' NOT NULL,
	`reset_at` integer NOT NULL,
	`reset_by` text NOT NULL,
	PRIMARY KEY(`host_id`, `target`),
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE no action
);
