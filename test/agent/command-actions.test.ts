import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LIMITS } from "../../agent/protocol";
import { CommandJournal } from "../../agent/src/actions/journal";
import { ActionRegistry } from "../../agent/src/actions/registry";
import { ServiceManager } from "../../agent/src/services";
import { ensureStateDir } from "../../agent/src/state-dir";
import { actionContext, cleanup, configFor, quietLog, tempDir, writeScript } from "./support/helpers";

afterEach(cleanup);

let seq = 0;
const cmd = (action: string, target?: string, params?: Record<string, string>) => ({
  id: `run-${++seq}`,
  action,
  target,
  params,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

function setup(raw: Record<string, unknown>) {
  const config = configFor(raw);
  const paths = ensureStateDir(config.stateDir);
  const registry = new ActionRegistry({
    journal: new CommandJournal(paths.journal),
    context: actionContext(config, new ServiceManager([], { log: quietLog }), paths),
  });
  return { registry, paths };
}

describe("emergency_backup", () => {
  it("writes a tar.gz of the configured paths into the state directory that tar can list", async () => {
    const data = tempDir();
    writeFileSync(path.join(data, "db.sqlite"), "rows");
    mkdirSync(path.join(data, "uploads"));
    writeFileSync(path.join(data, "uploads", "a.png"), "png");
    const { registry, paths } = setup({ backup: { paths: [data] }, actions: { emergency_backup: true } });
    const result = await registry.execute(cmd("emergency_backup"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    const [archive] = readdirSync(paths.backups);
    expect(archive).toMatch(/^backup-\d{4}-\d\d-\d\dT[\d-]+Z\.tar\.gz$/);
    expect(result?.output).toContain(path.join(paths.backups, archive));
    const listing = execFileSync("tar", ["-tzf", path.join(paths.backups, archive)], { encoding: "utf8" });
    expect(listing).toContain("db.sqlite");
    expect(listing).toContain("uploads/a.png");
  });

  it("keeps only the newest `keep` backups", async () => {
    const data = tempDir();
    writeFileSync(path.join(data, "f"), "x");
    const { registry, paths } = setup({
      backup: { paths: [data], keep: 2 },
      actions: { emergency_backup: true },
    });
    for (const old of ["backup-2020-01-01T00-00-00-000Z.tar.gz", "backup-2021-01-01T00-00-00-000Z.tar.gz"])
      writeFileSync(path.join(paths.backups, old), "old");
    const result = await registry.execute(cmd("emergency_backup"));
    expect(result?.output).toContain("removed 1 older backups (keeping 2)");
    const left = readdirSync(paths.backups).sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toBe("backup-2021-01-01T00-00-00-000Z.tar.gz");
  });

  it("fails and keeps nothing when a path does not exist", async () => {
    const { registry, paths } = setup({
      backup: { paths: [path.join(tempDir(), "missing")] },
      actions: { emergency_backup: true },
    });
    const result = await registry.execute(cmd("emergency_backup"));
    expect(result?.status).toBe("failed");
    expect(result?.exitCode).toBe(2);
    expect(result?.output).toMatch(/^backup failed, nothing kept: tar exited 2/);
    expect(readdirSync(paths.backups)).toEqual([]);
  });
});

describe("lockdown and unlock", () => {
  it("run the configured argv and nothing else, reporting exit code and output", async () => {
    const bin = tempDir();
    const log = path.join(bin, "calls");
    const fw = writeScript(
      bin,
      "fw",
      `echo "fw $*" >> "${log}"; echo "rules: $1"; [ "$1" = open ] && exit 3; exit 0`,
    );
    const { registry } = setup({
      lockdown: { lock: [fw, "closed", "--allow", "22"], unlock: [fw, "open"] },
      actions: { lockdown: true, unlock: true },
    });
    const locked = await registry.execute(cmd("lockdown", undefined, { rule: "; rm -rf /" }));
    expect(locked).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(locked?.output).toContain("rules: closed");
    const unlocked = await registry.execute(cmd("unlock"));
    expect(unlocked).toMatchObject({ status: "failed", exitCode: 3 });
    expect(readFileSync(log, "utf8")).toBe("fw closed --allow 22\nfw open\n");
  });
});

describe("run_script", () => {
  it("runs the script the config names under that name; the server only names it", async () => {
    const bin = tempDir();
    const script = writeScript(bin, "rotate", `echo "rotated in $(pwd) with $MODE"`);
    const { registry } = setup({
      scripts: { rotate: { command: [script], cwd: bin, env: { MODE: "fast" } } },
      actions: { run_script: true },
    });
    const result = await registry.execute(cmd("run_script", "rotate"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(result?.output).toContain(`rotated in ${bin} with fast`);
    expect(await registry.execute(cmd("run_script", "rm -rf /"))).toMatchObject({
      status: "refused",
      output: "unknown target rm -rf /: not a script in this agent's config",
    });
  });

  it("kills a script that outlives its timeout and reports it timed out", async () => {
    const { registry } = setup({
      scripts: { slow: { command: [process.execPath, "-e", "setTimeout(() => {}, 10000)"], timeoutMs: 300 } },
      actions: { run_script: true },
    });
    const started = Date.now();
    const result = await registry.execute(cmd("run_script", "slow"));
    expect(result?.status).toBe("timed_out");
    expect(result?.output).toContain("did not finish within 0.3 s and was killed");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("reports a failing script's exit code and the end of long output", async () => {
    const { registry } = setup({
      scripts: {
        noisy: {
          command: [
            process.execPath,
            "-e",
            "console.log('x'.repeat(20000)); console.error('the end'); process.exit(4)",
          ],
        },
      },
      actions: { run_script: true },
    });
    const result = await registry.execute(cmd("run_script", "noisy"));
    expect(result).toMatchObject({ status: "failed", exitCode: 4 });
    expect(result?.output.length).toBeLessThanOrEqual(LIMITS.outputChars);
    expect(result?.output.endsWith("the end")).toBe(true);
  });
});
