CREATE TABLE `sample_gaps` (
	`org_id` text NOT NULL,
	`host_id` text NOT NULL,
	`from_ts` integer NOT NULL,
	`to_ts` integer NOT NULL,
	`samples` integer NOT NULL,
	`results` integer DEFAULT 0 NOT NULL,
	`reported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sample_gaps_host_from_idx` ON `sample_gaps` (`host_id`,`from_ts`);