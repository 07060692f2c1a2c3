import { describe, expect, it } from "vitest";
import { newTenant, sample, service } from "./support/harness";
import { createRules } from "./support/rules-harness";

describe("custom checks reported by the agent (check:<name>.status)", () => {
  it("open a medium issue on WARNING that only notifies, and close it when the check is OK again", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({
      samples: [sample({ "check:disk.status": 1, "check:disk./": 2.6e10 })],
    });
    expect(commands).toEqual([]);
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(issue).toMatchObject({ rule: "check_warning", target: "check:disk.status", severity: "medium" });
    await agent.report({ samples: [sample({ "check:disk.status": 0 })] });
    const after = await t.issues(`?host=${agent.hostId}&status=open`);
    expect(after.filter((i) => i.rule === "check_warning")).toEqual([]);
  });

  it("restart the check's service when a rule on its checks names restart_service", async () => {
    const t = await newTenant();
    await createRules(t, {
      id: "web_check_failed",
      kind: "threshold",
      metric: "check:web.*.status",
      op: "above",
      threshold: 1,
      durationSeconds: 0,
      severity: "high",
      actions: ["restart_service"],
    });
    const agent = await t.enroll();
    const { commands } = await agent.report({
      samples: [sample({ "check:web.http.status": 2 })],
      services: [service("web", "up")],
    });
    expect(commands).toEqual([expect.objectContaining({ action: "restart_service", target: "web" })]);
  });

  it("accept services of the launchd, windows and kubernetes kinds", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({
      services: [
        service("web", "up", { kind: "launchd" }),
        service("iis", "down", { kind: "windows" }),
        service("api", "up", { kind: "kubernetes" }),
      ],
    });
    const { services } = await t.host(agent.hostId);
    expect(services.map((s) => [s.name, s.kind, s.status]).sort()).toEqual([
      ["api", "kubernetes", "up"],
      ["iis", "windows", "down"],
      ["web", "launchd", "up"],
    ]);
  });
});
