import { describe, expect, it } from "vitest";
import type { LearnedAction } from "../../worker/api-types";
import { orderActions } from "../../worker/services/recovery/action-order";
import { type Agent, json, newTenant, result, service, type Tenant } from "./support/harness";

const down = [service("nginx", "down")];
const up = [service("nginx", "up")];

/** One incident where force_restart fails and restart_service fixes it; returns the first action tried. */
async function incident(agent: Agent): Promise<string> {
  const first = await agent.report({ services: down });
  const [cmd] = first.commands;
  if (cmd.action === "restart_service") {
    await agent.report({ services: up, results: [result(cmd.id, "succeeded")] });
    return cmd.action;
  }
  const second = await agent.report({ services: down, results: [result(cmd.id, "failed")] });
  await agent.report({ services: up, results: [result(second.commands[0].id, "succeeded")] });
  return cmd.action;
}

async function twoActionTenant(): Promise<{ t: Tenant; agent: Agent }> {
  const t = await newTenant();
  const body = { actions: ["force_restart", "restart_service"] };
  await json("/api/v1/rules/service_down", { method: "PATCH", token: t.admin, body });
  return { t, agent: await t.enroll() };
}

describe("learning", () => {
  it("tries the action that has worked first once there is enough data", async () => {
    const { t, agent } = await twoActionTenant();
    const firsts: string[] = [];
    for (let i = 0; i < 4; i++) firsts.push(await incident(agent));
    expect(firsts).toEqual(["force_restart", "force_restart", "force_restart", "restart_service"]);

    const { items } = await json<{ items: LearnedAction[] }>("/api/v1/learning", { token: t.admin });
    expect(items.find((i) => i.action === "restart_service")).toMatchObject({
      rule: "service_down",
      attempts: 4,
      succeeded: 4,
      successRate: 1,
      medianSecondsToRecover: expect.any(Number),
    });
    expect(items.find((i) => i.action === "force_restart")).toMatchObject({
      attempts: 3,
      succeeded: 0,
      successRate: 0,
    });
  });

  it("reports MTTR and the auto-recovery rate per rule", async () => {
    const { t, agent } = await twoActionTenant();
    await incident(agent);
    const metrics = await json<{ byRule: Record<string, unknown> }>("/api/healing/metrics", {
      token: t.admin,
    });
    expect(metrics.byRule.service_down).toEqual({
      issues: 1,
      mttrSeconds: { mean: expect.any(Number), p50: expect.any(Number) },
      autoRecoveryRate: 1,
    });
  });

  it("keeps the rule's order on ties and with too little data, and tried actions first", () => {
    const stats = new Map([
      ["r|b", { attempts: 2, succeeded: 2 }],
      ["r|c", { attempts: 5, succeeded: 5 }],
      ["r|d", { attempts: 5, succeeded: 5 }],
    ]);
    expect(orderActions("r", ["a", "b"], [], stats)).toEqual(["a", "b"]);
    expect(orderActions("r", ["a", "d", "c"], [], stats)).toEqual(["d", "c", "a"]);
    expect(orderActions("r", ["a", "c"], ["a"], stats)).toEqual(["a", "c"]);
    expect(orderActions("other", ["a", "c"], [], stats)).toEqual(["a", "c"]);
  });
});
