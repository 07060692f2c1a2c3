CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`url` text,
	`secret` text,
	`min_severity` text DEFAULT 'high' NOT NULL,
	`hosts` text,
	`groups` text,
	`rule_ids` text,
	`group_by` text NOT NULL,
	`group_wait_seconds` integer DEFAULT 10 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `channels_org_idx` ON `channels` (`org_id`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`notification_id` text,
	`issue_id` text,
	`event` text NOT NULL,
	`event_key` text NOT NULL,
	`group_key` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`origin` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_channel_issue_event_uq` ON `deliveries` (`channel_id`,`issue_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_org_created_idx` ON `deliveries` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`issue_id` text NOT NULL,
	`event` text NOT NULL,
	`event_key` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL,
	`dispatched_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_issue_event_uq` ON `notifications` (`issue_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `notifications_undispatched_idx` ON `notifications` (`dispatched_at`);