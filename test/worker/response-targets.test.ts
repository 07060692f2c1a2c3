import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { type HealingMetrics, json, newTenant, sample, service, sql } from "./support/harness";
import { createRules, rule } from "./support/rules-harness";

const sweep = () => worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);

describe("response-time targets by severity", () => {
  it("give each issue its deadline: 5 min for high, 1 h for medium", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ "check:disk.status": 1 })], services: [service("db", "down")] });
    const issues = await t.issues(`?host=${agent.hostId}`);
    const by = (rule: string) => {
      const i = issues.find((x) => x.rule === rule);
      if (!i?.respondBy) throw new Error(`no deadline on ${rule}`);
      return (Date.parse(i.respondBy) - Date.parse(i.detectedAt)) / 1000;
    };
    expect(by("service_down")).toBe(300);
    expect(by("check_warning")).toBe(3600);
  });

  it("give a low issue the end of the next maintenance window as its deadline, else 24 h", async () => {
    const t = await newTenant();
    await createRules(t, { ...rule({ id: "cpu_busy", threshold: 80, severity: "low" }) });
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ cpu: 85 })] });
    const [first] = await t.issues(`?host=${agent.hostId}`);
    expect((Date.parse(first.respondBy ?? "") - Date.parse(first.detectedAt)) / 1000).toBe(86_400);

    const startsAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    const endsAt = new Date(Date.now() + 5 * 3600_000).toISOString();
    await json(
      "/api/v1/maintenance",
      { token: t.admin, body: { startsAt, endsAt, reason: "patching" } },
      201,
    );
    const other = await t.enroll();
    await other.report({ samples: [sample({ cpu: 85 })] });
    const [second] = await t.issues(`?host=${other.hostId}`);
    expect(second.respondBy).toBe(endsAt);
  });

  it("follow response_targets from the configuration", async () => {
    const t = await newTenant();
    const doc = await t.config({ response_targets: { high: 120 } });
    expect(doc).toMatchObject({ response_targets: { high: 120 } });
    const agent = await t.enroll();
    await agent.report({ services: [service("db", "down")] });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect((Date.parse(issue.respondBy ?? "") - Date.parse(issue.detectedAt)) / 1000).toBe(120);
  });

  it("count an issue unresolved past its deadline as breached, and notify it once", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: [service("db", "down")] });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    await sql("UPDATE issues SET respond_by = ? WHERE id = ?", Date.now() - 1000, issue.id);
    await sweep();
    await sweep();
    const events = await sql(
      "SELECT event FROM notifications WHERE issue_id = ? AND event = 'deadline_breached'",
      issue.id,
    );
    expect(events).toHaveLength(1);
    const m = await t.get<HealingMetrics>("/api/healing/metrics");
    expect(m.responseTargets).toMatchObject({
      breached: 1,
      met: 0,
      bySeverity: { high: { breached: 1, met: 0 } },
    });
  });

  it("count an issue resolved within its deadline as met, and one still within it as neither", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ samples: [sample({ "check:disk.status": 1 })] });
    await agent.report({ samples: [sample({ "check:disk.status": 0, "check:web.status": 1 })] });
    await sweep();
    const m = await t.get<HealingMetrics>("/api/healing/metrics");
    expect(m.responseTargets).toEqual({
      breached: 0,
      met: 1,
      bySeverity: {
        critical: { breached: 0, met: 0 },
        high: { breached: 0, met: 0 },
        medium: { breached: 0, met: 1 },
        low: { breached: 0, met: 0 },
      },
    });
    const notified = await sql(
      "SELECT count(*) AS n FROM notifications WHERE org_id = ? AND event = 'deadline_breached'",
      t.orgId,
    );
    expect(notified[0].n).toBe(0);
  });
});
