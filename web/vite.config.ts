import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The root package.json runs this from the repo root (`vite build --config web/vite.config.ts`),
// so every path is anchored to this file, not to the working directory.
const root = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(import.meta.url);

/** Swagger UI's two files for the API docs page (/api/docs), served with the dashboard, no CDN. */
const swaggerUiFiles = {
  name: "swagger-ui-files",
  generateBundle(this: { emitFile(file: { type: "asset"; fileName: string; source: Buffer }): string }) {
    for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
      const source = readFileSync(require.resolve(`swagger-ui-dist/${file}`));
      this.emitFile({ type: "asset", fileName: `vendor/swagger-ui-dist/${file}`, source });
    }
  },
};

export default defineConfig({
  root,
  plugins: [preact(), swaggerUiFiles],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    // `vite --config web/vite.config.ts` against a local `wrangler dev` (default port 8787).
    proxy: { "/api": { target: process.env.SELFHEAL_API ?? "http://127.0.0.1:8787", changeOrigin: false } },
  },
});
