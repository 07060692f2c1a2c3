import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Standalone config for the browser tests (`npx vitest run --config test/browser/vitest.config.ts`);
// the same block belongs in the root config's `projects` so `npm test` runs them too.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    name: "browser",
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
