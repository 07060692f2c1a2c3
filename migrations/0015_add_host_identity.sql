ALTER TABLE `hosts` ADD `public_key` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `key_proof_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `uses` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `max_uses` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `host_groups` text;--> statement-breakpoint
-- Written by hand (drizzle-kit does not model triggers): D1 has no BEGIN, and a batch is atomic
-- only if one of its statements fails. These make the two races of enrolment fail the batch:
-- an enroll token used past its cap, and a host key proof not newer than the last one accepted.
CREATE TRIGGER `tokens_uses_cap` BEFORE UPDATE OF `uses` ON `tokens`
WHEN NEW.`max_uses` IS NOT NULL AND NEW.`uses` > NEW.`max_uses`
BEGIN SELECT RAISE(ABORT, 'selfheal: enroll token spent'); END;
--> statement-breakpoint
CREATE TRIGGER `hosts_key_proof_fresh` BEFORE UPDATE OF `key_proof_at` ON `hosts`
WHEN NEW.`public_key` IS OLD.`public_key` AND OLD.`key_proof_at` IS NOT NULL
  AND (NEW.`key_proof_at` IS NULL OR NEW.`key_proof_at` <= OLD.`key_proof_at`)
BEGIN SELECT RAISE(ABORT, 'selfheal: key proof replayed'); END;
