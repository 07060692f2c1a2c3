import { describe, expect, it } from "vitest";
import { newTenant, result, service, sql } from "./support/harness";

const localResult = (id: string, svc: string) =>
  result(id, "succeeded", {
    output: `local autonomy: restart_service ${svc} (edge unreachable for 40 s; it was down: inactive)\nok`,
    durationMs: 800,
  });

describe("restarts the agent did on its own", () => {
  it("records a local restart once, attached to the service's open issue", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "down")] });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    const id = `local-${crypto.randomUUID()}`;
    const body = { services: [service("nginx", "up")], results: [localResult(id, "nginx")] };
    await agent.report(body);
    await agent.report(body);

    const detail = await t.issue(issue.id);
    expect(detail.status).toBe("resolved");
    const local = detail.history.filter((h) => h.trigger === "local");
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({
      commandId: id,
      action: "restart_service",
      target: "nginx",
      status: "succeeded",
      verified: true,
    });
  });

  it("keeps a local restart with no open issue, unattached", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const id = `local-${crypto.randomUUID()}`;
    await agent.report({ services: [service("redis", "up")], results: [localResult(id, "redis")] });
    const rows = await sql("SELECT issue_id, trigger, target FROM recovery_history WHERE command_id = ?", id);
    expect(rows).toEqual([{ issue_id: "", trigger: "local", target: "redis" }]);
  });

  it("ignores results for ids it never issued that are not local", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ results: [result("cmd_unknown", "succeeded")] });
    expect(await sql("SELECT id FROM recovery_history WHERE host_id = ?", agent.hostId)).toEqual([]);
  });
});
