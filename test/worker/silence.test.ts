import { createScheduledController, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import type { HostObject } from "../../worker/objects/host";
import { type Agent, hostStub, json, newTenant, service, sql, type Tenant } from "./support/harness";

const cron = () => worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);

/** The host last reported `ms` ago: in D1's summary and in its object (what a silence leaves). */
async function silentFor(agent: Agent, ms: number) {
  const at = Date.now() - ms;
  await sql("UPDATE hosts SET last_seen_at = ? WHERE id = ?", at, agent.hostId);
  await runInDurableObject(hostStub(agent.hostId), async (object: HostObject, state) => {
    const hot = (object as unknown as { hot: { host: { lastSeenAt: number } } }).hot;
    hot.host.lastSeenAt = at;
    state.storage.kv.put("hot", hot);
  });
}

const offline = (t: Tenant) =>
  sql(
    "SELECT id, host_id, rule_id, severity, status, cause, summary, evidence FROM issues WHERE org_id = ? AND rule_id IN ('host_offline', 'fleet_offline') ORDER BY rule_id, host_id",
    t.orgId,
  );
const events = (issueId: unknown) =>
  sql("SELECT event, detail FROM notifications WHERE issue_id = ? ORDER BY created_at", issueId);

async function fleetOf(size: number) {
  const t = await newTenant();
  await t.config({ host_offline: { after_seconds: 30 } });
  const agents: Agent[] = [];
  for (let i = 0; i < size; i++) {
    const a = await t.enroll(`silent-${i}`);
    await a.report({ services: [service("nginx", "up")] });
    agents.push(a);
  }
  return { t, agents };
}

describe("silent hosts", () => {
  it("a host silent past its threshold opens one high host_offline issue that pages; its next report resolves it with how long it was silent", async () => {
    const { t, agents } = await fleetOf(3);
    await silentFor(agents[0], 95_000);

    await cron();
    await cron(); // a second run opens nothing more
    const [issue] = await offline(t);
    expect(await offline(t)).toHaveLength(1);
    expect(issue).toMatchObject({ host_id: agents[0].hostId, severity: "high", status: "open", cause: 1 });
    expect(String(issue.summary)).toMatch(/silent-0 has sent no report for 1m 3\ds \(threshold 30s\)/);
    expect((await events(issue.id)).map((e) => e.event)).toEqual(["opened"]);

    await agents[0].report({ services: [service("nginx", "up")] });
    const [resolved] = await offline(t);
    expect(resolved.status).toBe("resolved");
    expect(String(resolved.summary)).toMatch(/silent-0 reports again after 1m 3\ds of silence/);
    expect(JSON.parse(String(resolved.evidence)).silentSeconds).toBeGreaterThanOrEqual(95);
    const sent = await events(issue.id);
    expect(sent.map((e) => e.event)).toEqual(["opened", "resolved"]);
    expect(JSON.parse(String(sent[1].detail))).toMatchObject({
      silentFor: expect.stringMatching(/^1m 3\ds$/),
    });
  });

  it("a host whose object heard it lately is not silent, however old D1's summary is", async () => {
    const { t, agents } = await fleetOf(1);
    await sql("UPDATE hosts SET last_seen_at = ? WHERE id = ?", Date.now() - 95_000, agents[0].hostId);
    await cron();
    expect(await offline(t)).toEqual([]);
  });

  it("a host under a maintenance window, or retired, opens no host_offline issue", async () => {
    const { t, agents } = await fleetOf(4);
    await json(
      "/api/v1/maintenance",
      {
        token: t.admin,
        body: {
          host: agents[0].name,
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          reason: "reboot",
        },
      },
      201,
    );
    await json(`/api/v1/hosts/${agents[1].hostId}`, { method: "DELETE", token: t.admin });
    await silentFor(agents[0], 95_000);
    await silentFor(agents[1], 95_000);
    await cron();
    expect(await offline(t)).toEqual([]);

    // the control: the same silence on a host with neither opens its issue
    await silentFor(agents[2], 95_000);
    await cron();
    expect((await offline(t)).map((i) => i.host_id)).toEqual([agents[2].hostId]);
  });

  it("most of an org's hosts going silent together is one fleet incident paged once, resolved when they are all back", async () => {
    const { t, agents } = await fleetOf(5);
    for (const a of agents.slice(0, 3)) await silentFor(a, 95_000);
    await cron();
    const rows = await offline(t);
    const fleet = rows.filter((r) => r.rule_id === "fleet_offline");
    const hosts = rows.filter((r) => r.rule_id === "host_offline");
    expect(fleet).toHaveLength(1);
    expect(fleet[0]).toMatchObject({
      severity: "critical",
      status: "open",
      summary: expect.stringMatching(/^3 of 5 hosts/),
    });
    expect(hosts).toHaveLength(3);
    expect(hosts.every((h) => h.cause === 0)).toBe(true);
    const paged = await sql(
      "SELECT issue_id, event FROM notifications WHERE org_id = ? ORDER BY created_at",
      t.orgId,
    );
    expect(paged).toEqual([{ issue_id: fleet[0].id, event: "opened" }]);

    // a fourth host going quiet joins the incident without a page of its own
    await silentFor(agents[3], 95_000);
    await cron();
    expect((await offline(t)).filter((r) => r.rule_id === "host_offline")).toHaveLength(4);
    expect(await sql("SELECT count(*) AS n FROM notifications WHERE org_id = ?", t.orgId)).toEqual([
      { n: 1 },
    ]);

    for (const a of agents.slice(0, 3)) await a.report();
    await cron();
    expect((await offline(t)).find((r) => r.rule_id === "fleet_offline")?.status).toBe("open");
    await agents[3].report();
    await cron();
    const after = await offline(t);
    expect(after.every((r) => r.status === "resolved")).toBe(true);
    expect(
      await sql("SELECT issue_id, event FROM notifications WHERE org_id = ? ORDER BY created_at", t.orgId),
    ).toEqual([
      { issue_id: fleet[0].id, event: "opened" },
      { issue_id: fleet[0].id, event: "resolved" },
    ]);
  });

  it("two silent hosts of five page one by one: two is no storm", async () => {
    const { t, agents } = await fleetOf(5);
    for (const a of agents.slice(0, 2)) await silentFor(a, 95_000);
    await cron();
    const rows = await offline(t);
    expect(rows.map((r) => [r.rule_id, r.cause])).toEqual([
      ["host_offline", 1],
      ["host_offline", 1],
    ]);
    expect(await sql("SELECT count(*) AS n FROM notifications WHERE org_id = ?", t.orgId)).toEqual([
      { n: 2 },
    ]);
  });
});
