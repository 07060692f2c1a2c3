CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_token_id` text,
	`actor_name` text NOT NULL,
	`actor_scope` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`summary` text NOT NULL,
	`result` text DEFAULT 'ok' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_org_at_idx` ON `audit_log` (`org_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_org_action_idx` ON `audit_log` (`org_id`,`action`);