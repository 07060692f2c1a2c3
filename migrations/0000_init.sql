CREATE TABLE `commands` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`host_id` text NOT NULL,
	`issue_id` text,
	`kind` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`params` text,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`delivered_at` integer,
	`finished_at` integer,
	`exit_code` integer,
	`output` text,
	`duration_ms` integer,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commands_host_status_idx` ON `commands` (`host_id`,`status`);--> statement-breakpoint
CREATE INDEX `commands_status_idx` ON `commands` (`status`);--> statement-breakpoint
CREATE TABLE `hosts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`facts` text NOT NULL,
	`host_group` text,
	`created_at` integer NOT NULL,
	`last_seen_at` integer,
	`engine_state` text,
	`metrics` text,
	`metrics_at` integer,
	`health_score` real,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hosts_org_name_uq` ON `hosts` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `issues` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`host_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`rule_name` text NOT NULL,
	`target` text DEFAULT '' NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`summary` text NOT NULL,
	`evidence` text NOT NULL,
	`actions` text NOT NULL,
	`detected_at` integer NOT NULL,
	`resolved_at` integer,
	`mttr_seconds` real,
	`escalated_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `issues_org_status_idx` ON `issues` (`org_id`,`status`,`detected_at`);--> statement-breakpoint
CREATE INDEX `issues_org_detected_idx` ON `issues` (`org_id`,`detected_at`);--> statement-breakpoint
CREATE INDEX `issues_host_status_idx` ON `issues` (`host_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `issues_one_unresolved_uq` ON `issues` (`host_id`,`rule_id`,`target`) WHERE status <> 'resolved';--> statement-breakpoint
CREATE TABLE `metric_samples` (
	`host_id` text NOT NULL,
	`ts` integer NOT NULL,
	`cpu` real,
	`memory` real,
	`disk` real,
	`load1` real,
	`net_rx` real,
	`net_tx` real,
	`extra` text,
	PRIMARY KEY(`host_id`, `ts`)
);
--> statement-breakpoint
CREATE TABLE `orgs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recovery_history` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`host_id` text NOT NULL,
	`issue_id` text NOT NULL,
	`command_id` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`exit_code` integer,
	`output` text,
	`duration_ms` integer,
	`verified` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `history_command_uq` ON `recovery_history` (`command_id`);--> statement-breakpoint
CREATE INDEX `history_org_started_idx` ON `recovery_history` (`org_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `history_issue_idx` ON `recovery_history` (`issue_id`);--> statement-breakpoint
CREATE TABLE `rules` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`definition` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rules_org_idx` ON `rules` (`org_id`);--> statement-breakpoint
CREATE TABLE `service_states` (
	`host_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`stopped` integer DEFAULT false NOT NULL,
	`changed_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`host_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`org_id` text PRIMARY KEY NOT NULL,
	`config` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`host_id` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`expires_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash_uq` ON `tokens` (`hash`);--> statement-breakpoint
CREATE INDEX `tokens_org_idx` ON `tokens` (`org_id`);--> statement-breakpoint
CREATE INDEX `tokens_host_idx` ON `tokens` (`host_id`);