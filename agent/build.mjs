// Bundles the agent (and the engine and protocol it imports from this folder) into one ESM file.
// What this buys is measured by `npm run bench:agent` (RSS of the running agent):
// - zod is bundled: one module instead of ~100 files to resolve and compile (about -1.5 MB RSS).
// - zod's 40-odd translated error-message locales are left out (about -1 MB): the agent never
//   switches locale, and it reports config errors in English. zod's own default (en) stays.
// - whitespace and syntax are minified, identifiers are not, so stack traces stay readable.
// - ws (the command socket's client) is bundled too, loaded only when an edge offers the socket.
// - code split: what a dynamic import() loads (ws, the yaml parser, ...) is a chunk of its own in
//   dist/chunks/, read only when first needed, so an agent that never needs it never holds it.
// systeminformation stays external: it cannot be bundled ("Dynamic require of os"), is loaded
// only where there is no /proc, and npm installs it beside the tarball.
// clear_cache's walk runs in a child of its own (src/actions/clear-cache-child.js, plain JS with
// node: imports only): it is copied as is beside cli.js, where the bundle looks for it.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Replaces zod's `locales` namespace (not its default English messages) with an empty module. */
const withoutZodLocales = {
  name: "without-zod-locales",
  setup(b) {
    b.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: "zod-locales", namespace: "empty" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

// chunk names carry a hash: a rebuild must not leave the old ones beside the new
rmSync(new URL("./dist", import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: [new URL("./src/cli.ts", import.meta.url).pathname],
  outdir: new URL("./dist", import.meta.url).pathname,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // ws's optional native speed-ups: it runs without them (and tries them in a try/catch)
  external: ["systeminformation", "bufferutil", "utf-8-validate"],
  // ws is CommonJS and requires Node's builtins: give the ESM bundle a require for them
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  // jsonc-parser's "main" is a UMD build whose requires esbuild cannot follow: take its ES modules
  alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [withoutZodLocales],
  logLevel: "warning",
});

copyFileSync(
  new URL("./src/actions/clear-cache-child.js", import.meta.url),
  new URL("./dist/clear-cache-child.js", import.meta.url),
);

// The config's JSON Schema, generated from the zod schema the agent validates with (never written
// by hand): bundled on its own to a scratch file, run once, and written beside the bundle.
const scratch = mkdtempSync(path.join(tmpdir(), "selfheal-agent-schema-"));
try {
  const out = path.join(scratch, "schema.mjs");
  await build({
    entryPoints: [new URL("./src/config/json-schema.ts", import.meta.url).pathname],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["systeminformation"],
    logLevel: "warning",
  });
  const { configJsonSchema } = await import(pathToFileURL(out).href);
  writeFileSync(
    new URL("./dist/config.schema.json", import.meta.url),
    `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
