import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { descendants, signalGroups } from "../../scripts/lib/process-tree.mjs";
import { freePort, quietEnv, ROOT, stopProcess, waitFor } from "../../scripts/lib/stack.mjs";
import { envFileLine, WORKER_VARS } from "../../scripts/lib/worker-vars.mjs";
import { envSchema } from "../../worker/env";

const stateDir = mkdtempSync(path.join(tmpdir(), "selfheal-start-"));
let started: ChildProcess | undefined;
afterAll(async () => {
  await stopStarted(); // a timed-out test never reaches its finally
  rmSync(stateDir, { recursive: true, force: true });
});

/**
 * Stops `npm start` and everything below it, however far it got: it stops its Worker itself on
 * SIGTERM once it is running, but wrangler (and its workerd) run in a process group of their own,
 * which outlives a start stopped earlier, or one that does not stop in time.
 */
async function stopStarted() {
  const proc = started;
  started = undefined;
  if (!proc?.pid) return;
  const below = descendants(proc.pid); // now: once npm start is gone they belong to init
  await stopProcess(proc, 10_000);
  signalGroups(below, "SIGKILL");
}

/** Every process's command line on this machine (Linux), to see a secret never shows in `ps`. */
function commandLines(): string {
  let all = "";
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d)))
    try {
      all += `${readFileSync(`/proc/${pid}/cmdline`, "utf8")}\n`;
    } catch {}
  return all;
}

describe("npm start", () => {
  it("passes every Worker setting of the Worker's schema, and only those", () => {
    const schemaVars = Object.keys(envSchema.shape).filter((k) => k.startsWith("SELFHEAL_"));
    expect([...WORKER_VARS].sort()).toEqual(schemaVars.sort());
  });

  it("writes env-file values literally: $ escaped, newlines and quotes refused", () => {
    expect(envFileLine("SELFHEAL_PUBLIC_URL", "https://a.example/$HOME")).toBe(
      "SELFHEAL_PUBLIC_URL='https://a.example/\\$HOME'\n",
    );
    expect(() => envFileLine("SELFHEAL_ENV", "a\nB=c")).toThrow(/newline/);
  });

  it("hands SELFHEAL_PLATFORM_TOKEN to the Worker through its env file, never argv, and prints a first-admin link that works once", async () => {
    const port = await freePort();
    const platform = `sh_platform_${randomBytes(20).toString("hex")}`;
    const proc = spawn(process.execPath, [path.join(ROOT, "scripts", "start.mjs")], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...quietEnv(),
        PORT: String(port),
        SELFHEAL_STATE_DIR: stateDir,
        SELFHEAL_LOCAL_AGENT: "0",
        SELFHEAL_PLATFORM_TOKEN: platform,
        SELFHEAL_PUBLIC_URL: "https://selfheal.example.com",
      },
    });
    started = proc;
    let output = "";
    proc.stdout?.on("data", (d) => (output += d));
    proc.stderr?.on("data", (d) => (output += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/api/health`)).ok, {
        timeoutMs: 150_000,
        intervalMs: 500,
        what: `npm start on ${base}`,
      }).catch((err) => {
        throw new Error(`${err.message}\n${output.slice(-3000)}`);
      });
      const res = await fetch(`${base}/api/v1/orgs`, {
        method: "POST",
        headers: { authorization: `Bearer ${platform}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Started Org" }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(((await res.json()) as { org: { name: string } }).org.name).toBe("Started Org");
      expect(commandLines()).not.toContain(platform);

      // With no person in the default org, it printed a one-time link that makes its opener the first admin.
      // The banner follows the Worker's first health answer: wait for the line, not just the Worker.
      await waitFor(async () => /first admin: \S+/.test(output), {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: "the first-admin link in npm start's banner",
      }).catch(() => {});
      const link = /first admin: (\S+)/.exec(output)?.[1] ?? "";
      expect(link, output.slice(-2000)).toMatch(/^https:\/\/selfheal\.example\.com\/invite#shi_/);
      const acceptLink = () =>
        fetch(`${base}/api/v1/invitations/accept`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            token: link.split("#")[1],
            name: "First Admin",
            email: "first@example.com",
          }),
        });
      const accepted = await acceptLink();
      expect(accepted.status, await accepted.clone().text()).toBe(200);
      expect(await accepted.json()).toMatchObject({
        scope: "admin",
        orgId: "org_default",
        name: "First Admin",
      });
      expect(accepted.headers.get("set-cookie")).toMatch(/^selfheal_session=/);
      expect((await acceptLink()).status).toBe(401);
    } finally {
      await stopStarted();
    }
  });
});
