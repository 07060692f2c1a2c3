import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { json, newTenant, type Queued, service, sql } from "./support/harness";
import { addChannel, idle, recordOutbound } from "./support/notify-harness";

describe("the scheduled sweep", () => {
  it("times out overdue deliveries and expires commands nobody picked up", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: [service("nginx", "down")] });
    const delivered = commands[0].id;
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    const manual = await json<Queued>(
      "/api/healing/recover",
      { token: t.admin, body: { issue_id: issue.id, action: "auto" } },
      202,
    );
    await sql("UPDATE commands SET delivered_at = delivered_at - 180000 WHERE id = ?", delivered);
    await sql("UPDATE commands SET expires_at = ? WHERE id = ?", Date.now() - 1, manual.commandId);

    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);

    const rows = await sql(
      "SELECT id, status FROM commands WHERE host_id = ? ORDER BY created_at",
      agent.hostId,
    );
    expect(rows).toEqual([
      { id: delivered, status: "timed_out" },
      { id: manual.commandId, status: "expired" },
    ]);
    const history = await t.history(`?issue=${issue.id}`);
    expect(history.map((h) => h.status)).toEqual(["timed_out", "timed_out"]);
  });

  it("runs every later step when one fails: deadlines are notified and samples rolled up", async () => {
    const t = await newTenant();
    await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) });
    const agent = await t.enroll();
    const out = recordOutbound();
    const logged = vi.spyOn(console, "error");
    try {
      await agent.report({ services: [service("db", "down")] });
      const [issue] = await t.issues(`?host=${agent.hostId}`);
      await idle(t.orgId);
      await sql("UPDATE issues SET respond_by = ? WHERE id = ?", Date.now() - 1000, issue.id);
      await sql(
        "INSERT INTO metric_samples (host_id, ts, cpu) VALUES (?, ?, 42)",
        agent.hostId,
        Date.now() - 120_000,
      );
      const [{ n: rolledBefore }] = await sql(
        "SELECT count(*) AS n FROM metric_rollups_1m WHERE host_id = ?",
        agent.hostId,
      );
      // The first step, the command sweep, cannot read its table.
      await sql("ALTER TABLE commands RENAME TO commands_away");
      try {
        await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
      } finally {
        await sql("ALTER TABLE commands_away RENAME TO commands");
      }

      const failures = logged.mock.calls.map(([line]) => JSON.parse(String(line))).filter((l) => l.step);
      expect(failures.map((l) => l.step)).toContain("command sweep");
      const breached = out.sent.flatMap((s) => s.json.events).filter((e) => e.event === "deadline_breached");
      expect(breached.map((e) => e.issue.id)).toEqual([issue.id]);
      const [{ n: rolled }] = await sql(
        "SELECT count(*) AS n FROM metric_rollups_1m WHERE host_id = ?",
        agent.hostId,
      );
      expect(Number(rolled)).toBeGreaterThan(Number(rolledBefore));
    } finally {
      logged.mockRestore();
      out.restore();
    }
  });
});
