CREATE INDEX `maintenance_org_starts_idx` ON `maintenance_windows` (`org_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `history_host_started_idx` ON `recovery_history` (`host_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `hosts_org_group_idx` ON `hosts` (`org_id`,`host_group`);