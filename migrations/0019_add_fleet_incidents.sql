CREATE TABLE `fleet_incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`host_group` text NOT NULL,
	`rule_id` text NOT NULL,
	`target` text DEFAULT '' NOT NULL,
	`lead_issue_id` text NOT NULL,
	`opened_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	`cause` text,
	`cause_kind` text,
	`cause_ref` text,
	`cause_at` integer
);
--> statement-breakpoint
CREATE INDEX `fleet_incidents_org_group_rule_idx` ON `fleet_incidents` (`org_id`,`host_group`,`rule_id`,`last_at`);--> statement-breakpoint
ALTER TABLE `issues` ADD `fleet_incident_id` text;--> statement-breakpoint
CREATE INDEX `issues_fleet_incident_idx` ON `issues` (`fleet_incident_id`);