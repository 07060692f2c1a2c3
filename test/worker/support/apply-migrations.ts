import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Every workerd test file starts from the real migrations folder, exactly as wrangler applies it.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
