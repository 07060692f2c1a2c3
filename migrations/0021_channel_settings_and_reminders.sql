ALTER TABLE `channels` ADD `settings` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `repeat_minutes` integer;