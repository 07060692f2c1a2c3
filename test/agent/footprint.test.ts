import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, tempDir } from "./helpers";

afterEach(cleanup);

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const TUNING = path.join(ROOT, "agent/src/v8-tuning.ts");
const CLIENT = path.join(ROOT, "agent/src/transport/client.ts");
/** V8's %GetOptimizationStatus bit for "running TurboFan code". */
const TURBOFANNED = 16;

/** Runs an ES module in a fresh node (its own V8 flags and module list) and returns its output. */
async function runFresh(code: string, nodeArgs: string[] = []): Promise<string> {
  const file = path.join(tempDir(), "probe.mts");
  writeFileSync(file, code);
  const { stdout } = await run(process.execPath, [...nodeArgs, "--import", "tsx", file], { cwd: ROOT });
  return stdout.trim();
}

/** Runs a hot function (after the agent's tuning, or not) and returns V8's optimization status for it. */
async function optimizationStatus(tuned: boolean): Promise<number> {
  const code = `import { tuneV8ForAgent } from ${JSON.stringify(TUNING)};
${tuned ? "tuneV8ForAgent();" : ""}
function hot(x) { return x.a * 2 + 1; }
let s = 0;
for (let i = 0; i < 2e6; i++) s += hot({ a: i });
console.log(eval("%GetOptimizationStatus(hot)"));
`;
  return Number(await runFresh(code, ["--allow-natives-syntax"]));
}

describe("the agent's footprint", () => {
  it("keeps even a hot function out of the optimizing compiler once tuned", {
    timeout: 60_000,
  }, async () => {
    expect((await optimizationStatus(false)) & TURBOFANNED).toBe(TURBOFANNED);
    expect((await optimizationStatus(true)) & TURBOFANNED).toBe(0);
  });

  it("loads TLS only for an https server", { timeout: 60_000 }, async () => {
    const code = `import { ApiClient } from ${JSON.stringify(CLIENT)};
const tlsLoaded = () => process.moduleLoadList.includes("NativeModule tls");
const plain = new ApiClient({ server: "http://127.0.0.1:1" });
await plain.report("t", { protocol: 1, samples: [] }).catch(() => {});
const before = tlsLoaded();
new ApiClient({ server: "https://127.0.0.1:1" });
console.log(JSON.stringify([before, tlsLoaded()]));
process.exit(0);
`;
    expect(JSON.parse(await runFresh(code))).toEqual([false, true]);
  });
});
