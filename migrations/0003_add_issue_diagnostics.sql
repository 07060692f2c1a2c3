ALTER TABLE `issues` ADD `flapping` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `issues` ADD `incident_key` text;--> statement-breakpoint
ALTER TABLE `issues` ADD `cause` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `issues` ADD `rule_kind` text;--> statement-breakpoint
ALTER TABLE `issues` ADD `rule_condition` text;