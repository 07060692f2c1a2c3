import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

// Four projects: the Worker inside workerd against real D1 and the real migrations; the pure
// engine and the agent in plain Node; end-to-end runs that spawn wrangler dev and real agents;
// and the dashboard in Debian's Chromium, driven by playwright-core, against the same real parts.
// The last two run real processes (wrangler, agents, services, a browser) on a shared machine, so a
// failing test there is run once more: a fault fails twice, and the reporter marks every retry.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: path.join(root, "worker/index.ts"),
              wrangler: { configPath: path.join(root, "wrangler.toml") },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  SELFHEAL_ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
                },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/worker/**/*.test.ts"],
            setupFiles: ["test/worker/support/apply-migrations.ts"],
          },
        },
        {
          test: {
            name: "node",
            include: ["test/engine/**/*.test.ts", "test/agent/**/*.test.ts", "test/api/**/*.test.ts"],
            environment: "node",
          },
        },
        {
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            retry: 1,
            testTimeout: 180_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
        {
          test: {
            name: "browser",
            include: ["test/browser/**/*.test.ts"],
            environment: "node",
            retry: 1,
            testTimeout: 180_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
