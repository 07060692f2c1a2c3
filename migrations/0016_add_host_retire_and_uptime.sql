CREATE TABLE `uptime_days` (
	`org_id` text NOT NULL,
	`host_id` text NOT NULL,
	`service` text NOT NULL,
	`day` integer NOT NULL,
	`up_seconds` real NOT NULL,
	`observed_seconds` real NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`host_id`, `service`, `day`)
);
--> statement-breakpoint
CREATE INDEX `uptime_org_day_idx` ON `uptime_days` (`org_id`,`day`);--> statement-breakpoint
ALTER TABLE `hosts` ADD `retired_at` integer;--> statement-breakpoint
CREATE INDEX `hosts_last_seen_idx` ON `hosts` (`last_seen_at`);--> statement-breakpoint
CREATE INDEX `issues_rule_unresolved_idx` ON `issues` (`rule_id`,`org_id`) WHERE status <> 'resolved';