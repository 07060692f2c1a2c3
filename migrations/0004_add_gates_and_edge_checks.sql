CREATE TABLE `edge_checks` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`url` text NOT NULL,
	`expect_status` integer DEFAULT 200 NOT NULL,
	`timeout_ms` integer DEFAULT 10000 NOT NULL,
	`severity` text DEFAULT 'high' NOT NULL,
	`created_at` integer NOT NULL,
	`last_checked_at` integer,
	`last_ok` integer,
	`last_status` integer,
	`last_latency_ms` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `edge_checks_org_idx` ON `edge_checks` (`org_id`);--> statement-breakpoint
CREATE TABLE `gate_watches` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`host_group` text,
	`host_id` text,
	`health_before` real,
	`max_drop` real NOT NULL,
	`started_at` integer NOT NULL,
	`ends_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `gate_watches_org_idx` ON `gate_watches` (`org_id`);