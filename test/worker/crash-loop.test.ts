import { describe, expect, it } from "vitest";
import { type Agent, newTenant, result, service, sql, type Tenant } from "./support/harness";

const tail = ["listening on :8080", "FATAL: out of file descriptors"];
const down = [service("api", "down", { detail: "inactive (dead)", logTail: tail })];
const up = [service("api", "up")];

/** The service dies right after each restart: down, restart, up, down again ... `n` times. */
async function restartCycles(agent: Agent, n: number) {
  for (let i = 0; i < n; i++) {
    const { commands } = await agent.report({ services: down });
    expect(commands).toEqual([expect.objectContaining({ action: "restart_service", target: "api" })]);
    await agent.report({ services: up, results: [result(commands[0].id, "succeeded")] });
  }
}

const serviceIssues = async (t: Tenant, hostId: string) =>
  (await t.issues(`?host=${hostId}`)).filter((i) => i.rule === "service_down");

/** The hold's text: what tripped it, when it ends, and that an admin may reset it. */
const held = (restarts: number, minutes: number) =>
  expect.stringMatching(
    new RegExp(
      `^crash loop: ${restarts} restarts in ${minutes} min, the first at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC; it ends at .* UTC, or when an admin resets it$`,
    ),
  );

describe("crash loops", () => {
  it("keep the service's last log lines as evidence of a service_down issue", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: down });
    const [issue] = await serviceIssues(t, agent.hostId);
    expect(issue.evidence).toMatchObject({ service: "api", logTail: tail });
  });

  it("escalate instead of restarting a sixth time after 5 restarts within 10 minutes, and notify", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await restartCycles(agent, 5);
    const { commands } = await agent.report({ services: down });
    expect(commands).toEqual([]);
    const open = (await serviceIssues(t, agent.hostId)).filter((i) => i.status !== "resolved");
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: "escalated" });
    expect(open[0].evidence).toMatchObject({ crashLoop: held(5, 10), logTail: tail });
    const detail = await t.issue(open[0].id);
    expect(detail.explanation?.plan).toMatchObject({ next: null, why: held(5, 10) });
    const events = await sql("SELECT event FROM notifications WHERE issue_id = ?", open[0].id);
    expect(events.map((e) => e.event)).toContain("escalated");
    // still down at the next report: no restart either
    expect((await agent.report({ services: down })).commands).toEqual([]);
  });

  it("follow recovery.crash_loop: 2 restarts in 5 minutes", async () => {
    const t = await newTenant();
    await t.config({ recovery: { crash_loop: { restarts: 2, windowSeconds: 300 } } });
    const agent = await t.enroll();
    await restartCycles(agent, 2);
    expect((await agent.report({ services: down })).commands).toEqual([]);
    const [issue] = (await serviceIssues(t, agent.hostId)).filter((i) => i.status !== "resolved");
    expect(issue.evidence).toMatchObject({ crashLoop: held(2, 5) });
  });

  it("keep restarting a service whose restarts are older than the window", async () => {
    const t = await newTenant();
    await t.config({ recovery: { crash_loop: { restarts: 2 } } });
    const agent = await t.enroll();
    await restartCycles(agent, 2);
    await sql("UPDATE recovery_history SET started_at = started_at - 700000 WHERE host_id = ?", agent.hostId);
    const { commands } = await agent.report({ services: down });
    expect(commands).toEqual([expect.objectContaining({ action: "restart_service" })]);
  });
});
