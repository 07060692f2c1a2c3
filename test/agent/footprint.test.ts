import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { dropStartEnv, reexecArgv, START_ENV, START_FLAGS } from "../../agent/bin/start-flags.js";
import { isoTime } from "../../agent/src/util";
import { cleanup, tempDir } from "./support/helpers";

afterEach(cleanup);

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const TUNING = path.join(ROOT, "agent/src/v8-tuning.ts");
const CLIENT = path.join(ROOT, "agent/src/transport/client.ts");
const BIN = path.join(ROOT, "agent/bin/selfheal-agent.js");
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

  describe("time stamps", () => {
    it("reads as Date#toISOString does, for any time", () => {
      const times = [
        0,
        1,
        999,
        1_700_000_000_123,
        Date.UTC(2026, 11, 31, 23, 59, 59, 999),
        Date.UTC(9999, 0),
      ];
      times.push(Date.parse("0000-01-01T00:00:00Z"), Date.UTC(10_000, 0), -1, Date.now());
      for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
      expect(isoTime(new Date(5))).toBe("1970-01-01T00:00:00.005Z");
      expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    });

    it("are never made with V8's own date formatting, which makes ~0.8 MB of node resident", () => {
      const offenders: string[] = [];
      const walk = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, e.name);
          if (e.isDirectory()) walk(file);
          else if (/\.ts$/.test(e.name) && !file.endsWith(path.join("src", "util.ts")))
            if (
              /\.(toISOString|toUTCString|toJSON)\(|JSON\.stringify\(new Date/.test(
                readFileSync(file, "utf8"),
              )
            )
              offenders.push(path.relative(ROOT, file));
        }
      };
      walk(path.join(ROOT, "agent/src"));
      expect(offenders).toEqual([]);
    });
  });

  describe("start flags", () => {
    const launch = (over: Partial<Parameters<typeof reexecArgv>[0]> = {}) =>
      reexecArgv({
        argv: ["/usr/bin/node", BIN, "run", "--config", "/etc/agent.json"],
        execArgv: [],
        execPath: "/usr/bin/node",
        env: {},
        canExec: true,
        ...over,
      });

    it("replaces the launcher's process with one started with them, for run only", () => {
      expect(launch()).toEqual(["/usr/bin/node", ...START_FLAGS, BIN, "run", "--config", "/etc/agent.json"]);
      expect(launch({ execArgv: ["--inspect"] })).toEqual([
        "/usr/bin/node",
        ...START_FLAGS,
        "--inspect",
        BIN,
        "run",
        "--config",
        "/etc/agent.json",
      ]);
      expect(launch({ argv: ["/usr/bin/node", BIN, "check", "--json"] })).toBeUndefined();
      expect(launch({ argv: ["/usr/bin/node", BIN] })).toBeUndefined();
    });

    it("goes on as it is when it has them, when tuning is off, or when node cannot replace its process", () => {
      expect(launch({ execArgv: [...START_FLAGS] })).toBeUndefined();
      expect(launch({ env: { SELFHEAL_V8_TUNING: "off" } })).toBeUndefined();
      expect(launch({ canExec: false })).toBeUndefined();
    });

    it("are the ones the systemd unit starts node with", () => {
      const unit = readFileSync(path.join(ROOT, "agent/systemd/selfheal-agent.service"), "utf8");
      const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? "";
      expect(execStart).toContain(`exec node ${START_FLAGS.join(" ")} "$$(command -v selfheal-agent)" run`);
      const environment = [...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map(([, k, v]) => [k, v]);
      expect(environment).toEqual(expect.arrayContaining(Object.entries(START_ENV)));
    });

    it("with their allocator settings, which the agent keeps from what it starts", () => {
      const env: Record<string, string | undefined> = { ...START_ENV, PATH: "/bin" };
      dropStartEnv(env);
      expect(env).toEqual({ PATH: "/bin" });
      // an operator's own value is theirs, for the services too
      const own = Object.fromEntries(Object.keys(START_ENV).map((k) => [k, "8"]));
      dropStartEnv(own);
      expect(own).toEqual(Object.fromEntries(Object.keys(START_ENV).map((k) => [k, "8"])));
    });

    it("leave the launched agent's own environment, which its children inherit", {
      timeout: 60_000,
    }, async () => {
      // a preload that shows the agent's environment as it ends, after the launcher has run
      const probe = path.join(tempDir(), "env-probe.mjs");
      const keys = JSON.stringify(Object.keys(START_ENV));
      writeFileSync(
        probe,
        `process.on("exit", () => process.stdout.write("\\n" + JSON.stringify(${keys}.filter((k) => k in process.env))));`,
      );
      const { stdout } = await run(process.execPath, [...START_FLAGS, "--import", probe, BIN, "--version"], {
        env: { ...process.env, ...START_ENV },
      });
      expect(JSON.parse(stdout.trim().split("\n").at(-1) ?? "")).toEqual([]);
    });

    it("start the agent without a word on stderr", { timeout: 60_000 }, async () => {
      const { stdout, stderr } = await run(process.execPath, [...START_FLAGS, BIN, "--version"]);
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(stderr).toBe("");
    });
  });
});
