-- The default org: SELFHEAL_ADMIN_TOKEN is an admin of it, and a fresh install works without setup.
INSERT OR IGNORE INTO `orgs` (`id`, `name`, `created_at`) VALUES ('org_default', 'Default', CAST(strftime('%s', 'now') AS INTEGER) * 1000);
