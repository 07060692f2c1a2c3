ALTER TABLE `issues` ADD `respond_by` integer;--> statement-breakpoint
ALTER TABLE `issues` ADD `breached_at` integer;