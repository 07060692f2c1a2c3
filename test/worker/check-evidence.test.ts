import { describe, expect, it } from "vitest";
import type { CheckOutput as Check } from "../../agent/protocol";
import { type Agent, json, newTenant, sample } from "./support/harness";

const report = (agent: Agent, metrics: Record<string, number>, checks?: Check[]) =>
  json("/api/v1/agent/report", {
    token: agent.token,
    body: { protocol: 1, samples: [sample(metrics)], checks },
  });

describe("a custom check's status text as evidence", () => {
  it("put the check's output into the evidence and explanation of the issue it opens", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await report(agent, { "check:pg.status": 2 }, [
      { name: "pg", status: "critical", output: "CRITICAL - replication lag 412 s" },
      { name: "web.http", status: "ok", output: "HTTP OK: 200 in 0.01 s" },
    ]);
    const [issue] = (await t.issues(`?host=${agent.hostId}`)).filter((i) => i.rule === "check_critical");
    const check = { name: "pg", status: "critical", output: "CRITICAL - replication lag 412 s" };
    expect(issue.evidence).toMatchObject({ check });
    const detail = await t.issue(issue.id);
    expect(detail.explanation?.evidence).toMatchObject({ check });
  });

  it("use the last text sent when a later report carries the status but no checks", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await report(agent, { "check:disk.status": 0 }, [
      { name: "disk", status: "warning", output: "DISK WARNING - 9% free" },
    ]);
    await report(agent, { "check:disk.status": 1 });
    const [issue] = (await t.issues(`?host=${agent.hostId}`)).filter((i) => i.rule === "check_warning");
    expect(issue.evidence).toMatchObject({ check: { name: "disk", output: "DISK WARNING - 9% free" } });
  });

  it("refuse a report whose check output is longer than 500 characters", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const checks = [{ name: "pg", status: "critical", output: "x".repeat(501) }];
    await json(
      "/api/v1/agent/report",
      { token: agent.token, body: { protocol: 1, samples: [sample()], checks } },
      400,
    );
  });
});
