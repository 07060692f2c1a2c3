import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, applyMigrations, freePort, newSecret, startWorker, waitFor } from "../../scripts/lib/stack.mjs";
import { parseExposition } from "../support/prom-parse";
import { startReceiver } from "./support/receivers";

const SECRET = "whsec_0123456789abcdef0123456789abcdef";
const ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6";
type Worker = Awaited<ReturnType<typeof startWorker>>;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe("notifications to real HTTP receivers, through wrangler dev", () => {
  let worker: Worker;
  let receiver: Receiver | undefined;
  let rport: number;
  let admin: string;
  let persistTo: string;
  const call = (method: string, p: string, body?: unknown) => api(worker.url, admin, method, p, body);
  const cron = () => fetch(`${worker.url}/__scheduled?cron=*+*+*+*+*`).then((r) => r.text());
  const report = (token: string, services: { name: string; status: string }[]) =>
    api(worker.url, token, "POST", "/api/v1/agent/report", {
      protocol: 1,
      samples: [{ ts: new Date().toISOString(), metrics: { cpu: 5, memory: 20, disk: 30, load1: 0.1 } }],
      services: services.map((s) => ({ ...s, kind: "systemd" })),
    });
  const enroll = async (name: string) => {
    const { token } = await call("POST", "/api/v1/tokens", { scope: "enroll", name: `enroll ${name}` });
    return (await api(worker.url, token, "POST", "/api/v1/agent/enroll", { name })).agentToken as string;
  };
  const channel = (body: Record<string, unknown>) =>
    call("POST", "/api/v1/channels", { minSeverity: "low", groupWaitSeconds: 0, ...body });

  beforeAll(async () => {
    persistTo = mkdtempSync(path.join(tmpdir(), "selfheal-notify-"));
    admin = newSecret();
    rport = await freePort();
    await applyMigrations(persistTo);
    worker = await startWorker({
      port: await freePort(),
      persistTo,
      adminToken: admin,
      vars: { SELFHEAL_RETRY_BASE_MS: "300" },
    });
    await call("POST", "/api/healing/config", { recovery: { auto_recovery: false } });
  });
  afterAll(async () => {
    await receiver?.close();
    await worker?.stop();
    if (persistTo) rmSync(persistTo, { recursive: true, force: true });
  });

  it("delivers trigger and resolve exactly once each after the receivers come up late", async () => {
    const base = `http://127.0.0.1:${rport}`;
    const pd = await channel({
      kind: "pagerduty",
      name: "pd",
      routingKey: ROUTING_KEY,
      url: `${base}/v2/enqueue`,
    });
    expect(pd.secret).not.toContain(ROUTING_KEY);
    await channel({ kind: "slack", name: "slack", url: `${base}/slack` });
    await channel({ kind: "webhook", name: "hook", url: `${base}/hook`, secret: SECRET });
    const agent = await enroll("web-1");
    await report(agent, [{ name: "nginx", status: "down" }]);

    // Nobody listens yet: every channel's first attempt fails and is kept for a retry.
    await waitFor(
      async () => {
        const { items } = await call("GET", "/api/v1/deliveries?status=pending");
        return items.length === 3 && items.every((d: { attempts: number }) => d.attempts >= 1);
      },
      { what: "three failed first attempts" },
    );
    let slackCalls = 0;
    receiver = await startReceiver(rport, SECRET, (r) =>
      r.path === "/slack" && ++slackCalls === 1 ? 429 : null,
    );
    const got = receiver.received;
    await waitFor(
      async () => {
        await cron();
        return got.length === 3;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 300,
        what: "3 messages",
      },
    );

    const [issue] = (await call("GET", "/api/healing/issues?status=active")).items;
    await report(agent, [{ name: "nginx", status: "up" }]);
    await waitFor(
      async () => {
        await cron();
        return got.length === 6;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 300,
        what: "6 messages",
      },
    );
    await new Promise((r) => setTimeout(r, 1500));
    await cron();

    expect(got.flatMap((r) => r.problems)).toEqual([]);
    const pdBodies = got.filter((r) => r.path === "/v2/enqueue").map((r) => r.body);
    expect(pdBodies.map((b) => [b.event_action, b.dedup_key])).toEqual([
      ["trigger", issue.id],
      ["resolve", issue.id],
    ]);
    expect(pdBodies[0]).toMatchObject({
      routing_key: ROUTING_KEY,
      payload: { source: "web-1", severity: "error", class: "service_down", component: "nginx" },
      links: [{ href: `${worker.url}/issues/${issue.id}` }],
    });
    const slack = got.filter((r) => r.path === "/slack").map((r) => r.body);
    expect(slack).toHaveLength(2);
    expect(slack[0].text).toContain("web-1");
    expect(JSON.stringify(slack[0].blocks)).toContain(`${worker.url}/issues/${issue.id}`);
    const hooks = got.filter((r) => r.path === "/hook").map((r) => r.body.events.map((e: any) => e.event));
    expect(hooks).toEqual([["opened"], ["resolved"]]);
    const { items } = await call("GET", "/api/v1/deliveries");
    expect(items.map((d: { status: string }) => d.status)).toEqual(Array(6).fill("delivered"));
    const slackOpened = items.find(
      (d: any) => d.event === "opened" && d.lastStatusCode === 200 && d.attempts >= 3,
    );
    expect(slackOpened).toBeDefined(); // refused twice (down), 429 once, then delivered
  });

  it("groups a storm of 120 issues on three hosts into three messages (and three pages) per channel", async () => {
    for (const c of (await call("GET", "/api/v1/channels")).items) {
      await call("PATCH", `/api/v1/channels/${c.id}`, { enabled: false });
    }
    const base = `http://127.0.0.1:${rport}`;
    await channel({ kind: "slack", name: "storm-slack", url: `${base}/slack`, groupWaitSeconds: 3 });
    await channel({
      kind: "pagerduty",
      name: "storm-pd",
      routingKey: ROUTING_KEY,
      url: `${base}/v2/enqueue`,
      groupWaitSeconds: 3,
    });
    await channel({
      kind: "webhook",
      name: "storm-hook",
      url: `${base}/hook`,
      secret: SECRET,
      groupWaitSeconds: 3,
    });
    const got = must(receiver).received;
    const before = got.length;
    const names = (from: number) =>
      Array.from({ length: 20 }, (_, i) => ({ name: `svc-${from + i}`, status: "down" }));
    const agents = await Promise.all(["s-1", "s-2", "s-3"].map(enroll));
    for (const a of agents) await report(a, names(0));
    for (const a of agents) await report(a, [...names(0), ...names(20)]);

    await waitFor(
      async () => {
        await cron();
        return got.length - before >= 9;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: "storm",
      },
    );
    await new Promise((r) => setTimeout(r, 4000));
    await cron();
    const storm = got.slice(before);
    expect(storm.flatMap((r) => r.problems)).toEqual([]);
    expect(storm).toHaveLength(9);
    const pages = storm.filter((r) => r.path === "/v2/enqueue").map((r) => r.body);
    expect(pages.map((p) => [p.event_action, p.payload.custom_details.count])).toEqual([
      ["trigger", 40],
      ["trigger", 40],
      ["trigger", 40],
    ]);
    const hookIssues = storm
      .filter((r) => r.path === "/hook")
      .flatMap((r) => r.body.events.map((e: any) => e.issue.id));
    expect(hookIssues).toHaveLength(120);
    expect(new Set(hookIssues).size).toBe(120);
    const slackSections = storm.filter((r) => r.path === "/slack").map((r) => r.body.blocks.length - 1);
    expect(slackSections).toEqual([40, 40, 40]);
  });

  it("checks a public endpoint from the cron: a failure opens an issue, recovery resolves it", async () => {
    let status = 503;
    const site = createServer((_req, res) => res.writeHead(status).end("site"));
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
      await call("POST", "/api/v1/edge-checks", { url, severity: "critical" });
      await cron();
      const [check] = (await call("GET", "/api/v1/edge-checks")).items;
      expect(check).toMatchObject({ url, lastOk: false, lastStatus: 503 });
      expect(check.lastLatencyMs).toEqual(expect.any(Number));
      const open = (await call("GET", "/api/healing/issues?status=active&severity=critical")).items;
      expect(open).toEqual([expect.objectContaining({ rule: "edge_check", target: url, host: "(edge)" })]);
      status = 200;
      await cron();
      const after = (await call("GET", "/api/healing/issues?status=active&severity=critical")).items;
      expect(after).toEqual([]);
    } finally {
      site.close();
    }
  });

  it("serves /metrics in the Prometheus text format to a metrics token", async () => {
    const { token } = await call("POST", "/api/v1/tokens", { scope: "metrics", name: "prometheus" });
    const res = await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const samples = parseExposition(await res.text());
    const open = samples.filter((s) => s.name === "selfheal_open_issues");
    expect(open.find((s) => s.labels.severity === "high")?.value).toBe(120);
    expect(samples.filter((s) => s.name === "selfheal_host_health_score").length).toBe(4);
    // web-1's nginx and the edge check: the two issues resolved so far.
    expect(samples.find((s) => s.name === "selfheal_mttr_seconds_count")?.value).toBe(2);
    expect(samples.filter((s) => s.name === "selfheal_edge_check_up").map((s) => s.value)).toEqual([1]);
  });
});

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error("missing");
  return v;
}
