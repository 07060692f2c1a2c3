import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, waitFor } from "../../scripts/lib/lab.mjs";
import { freePort, ROOT } from "../../scripts/lib/stack.mjs";

type Lab = Awaited<ReturnType<typeof startLab>>;
type Entry = { action: string; target: string | null; status: string; issueId: string };
type IssueView = {
  id: string;
  rule: string;
  status: string;
  explanation: { plan: { chain?: { action: string; target: string | null; why: string }[] } };
};
const whyOf = (issue: IssueView, action: string) =>
  issue.explanation.plan.chain?.find((s) => s.action === action)?.why;

const history = async (lab: Lab): Promise<Entry[]> =>
  (await lab.call("GET", "/api/healing/recovery-history")).items;

describe("a cache filling its own small filesystem, with the real agent and Worker", () => {
  // An 8 MB tmpfs of its own (the test runs as root): the disk collector skips tmpfs unless a
  // configured cache lives on it, so this also proves such a mount is measured.
  const base = mkdtempSync(path.join(tmpdir(), "selfheal-cachefs-"));
  const mount = path.join(base, "fs");
  const cache = path.join(mount, "thumbs");
  let lab: Lab;
  beforeAll(async () => {
    mkdirSync(mount);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mount]);
    mkdirSync(cache);
    lab = await startLab({
      services: 1,
      interval: 1,
      hostName: "cache-host",
      actions: { clear_cache: true },
      agentConfig: { caches: [{ name: "thumbs", path: cache }] },
    });
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
    try {
      execFileSync("umount", [mount]);
    } catch {}
    rmSync(base, { recursive: true, force: true });
  });

  it("is cleared by the built-in disk default, and the issue says which cache and why", async () => {
    // 7.8 of 8 MB: 97.7 % used, past the default disk_critical of 95.
    for (let i = 0; i < 20; i++) writeFileSync(path.join(cache, `t${i}.bin`), Buffer.alloc(400 * 1024, 7));
    const entry = await waitFor(
      async () => (await history(lab)).find((h) => h.action === "clear_cache" && h.status !== "pending"),
      { timeoutMs: 45_000, intervalMs: 250, what: "clear_cache run" },
    );
    expect(entry).toMatchObject({ target: "thumbs", status: "succeeded" });
    expect(readdirSync(cache)).toEqual([]);
    const issue: IssueView = await lab.call("GET", `/api/healing/issues/${entry.issueId}`);
    expect(issue.rule).toBe("disk_critical");
    // the size is the last measured one (every 30 s): before or after the fill
    expect(whyOf(issue, "clear_cache")).toMatch(/^cache thumbs \([\d.]+ [KM]?B\) is the only cache on /);
    expect(whyOf(issue, "clear_cache")?.endsWith(` on ${mount}`)).toBe(true);
    await waitFor(
      async () => (await lab.call("GET", `/api/healing/issues/${entry.issueId}`)).status === "resolved",
      { timeoutMs: 30_000, intervalMs: 250, what: "the disk issue resolved" },
    );
  });
});

const LEAKY = `
const { createServer } = require("node:http");
const { writeFileSync } = require("node:fs");
const [port, pidFile] = process.argv.slice(2);
const kept = [];
// 4 MB more every 100 ms, up to 240 MB: a leak, as the built-in selectors see it
setInterval(() => { if (kept.length < 60) kept.push(Buffer.alloc(4 * 1024 * 1024, 1)); }, 100);
createServer((_q, r) => r.end("ok")).listen(Number(port), "127.0.0.1", () => writeFileSync(pidFile, String(process.pid)));
`;

describe("a leaking process service, with the real agent and Worker", () => {
  let lab: Lab;
  const dir = mkdtempSync(path.join(tmpdir(), "selfheal-leak-"));
  const pidFile = path.join(dir, "leaky.pid");
  const pid = () => Number(readFileSync(pidFile, "utf8"));
  beforeAll(async () => {
    const script = path.join(dir, "leaky.cjs");
    writeFileSync(script, LEAKY);
    const port = await freePort();
    const webPort = await freePort();
    const webPid = path.join(dir, "web.pid");
    const web = path.join(ROOT, "scripts", "lib", "http-service.mjs");
    lab = await startLab({
      // the lab waits for two services up: these two, which replace its own
      services: 2,
      interval: 1,
      hostName: "leak-host",
      agentConfig: {
        services: [
          {
            name: "leaky",
            kind: "process",
            start: [process.execPath, script, String(port), pidFile],
            pidFile,
            check: { http: `http://127.0.0.1:${port}/`, timeoutMs: 1000 },
          },
          {
            name: "web",
            kind: "process",
            start: [process.execPath, web, String(webPort), webPid],
            pidFile: webPid,
          },
        ],
      },
    });
  }, 120_000);
  afterAll(async () => {
    for (const file of [pidFile, path.join(dir, "web.pid")])
      try {
        process.kill(Number(readFileSync(file, "utf8")), "SIGKILL");
      } catch {}
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is restarted by a rule with a memory selector, which picks it over a smaller service", async () => {
    const hostId = (await lab.call("GET", "/api/v1/hosts")).items[0].id;
    // Wait until the leak has outgrown the other service, then let the rule see it.
    await waitFor(
      async () => {
        const m = (await lab.call("GET", `/api/v1/hosts/${hostId}`)).metrics ?? {};
        return m["svc:leaky.rss"] > 150e6 && m["svc:web.rss"] > 0;
      },
      { timeoutMs: 45_000, intervalMs: 250, what: "the leak to outgrow the other service" },
    );
    const before = pid();
    await lab.call("POST", "/api/healing/config", { recovery: { max_attempts: 1 } });
    await lab.call("POST", "/api/v1/rules", {
      id: "memory_pressure",
      kind: "threshold",
      metric: "memory",
      threshold: 0,
      severity: "high",
      actions: ["restart_service"],
      target: { select: "largest_rss" },
    });
    const entry = await waitFor(
      async () => (await history(lab)).find((h) => h.action === "restart_service" && h.status !== "pending"),
      { timeoutMs: 45_000, intervalMs: 250, what: "restart_service run" },
    );
    expect(entry).toMatchObject({ target: "leaky", status: "succeeded" });
    expect(pid()).not.toBe(before);
    const issue: IssueView = await lab.call("GET", `/api/healing/issues/${entry.issueId}`);
    expect(issue.rule).toBe("memory_pressure");
    expect(whyOf(issue, "restart_service")).toMatch(
      /^service leaky uses the largest RSS \(\d+\.\d MB\); next: web /,
    );
  });
});
