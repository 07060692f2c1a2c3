// Bundles the agent (and the engine and protocol it imports from this folder) into one ESM file.
// npm packages stay external: systeminformation cannot be bundled ("Dynamic require of os"),
// and npm installs them beside the tarball anyway.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("./src/cli.ts", import.meta.url).pathname],
  outfile: new URL("./dist/cli.js", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
