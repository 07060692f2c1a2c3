import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { json, newTenant, type Queued, service, sql } from "./support/harness";

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
});
