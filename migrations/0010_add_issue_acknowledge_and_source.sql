ALTER TABLE `issues` ADD `acknowledged_at` integer;--> statement-breakpoint
ALTER TABLE `issues` ADD `acknowledged_by` text;--> statement-breakpoint
ALTER TABLE `issues` ADD `source` text DEFAULT 'engine' NOT NULL;