import { describe, expect, it } from "vitest";
import {
  call,
  expectError,
  json,
  must,
  newTenant,
  type Queued,
  result,
  service,
  sql,
  type Tenant,
} from "./support/harness";

const down = [service("nginx", "down", { detail: "inactive (dead)" })];
const up = [service("nginx", "up")];
const issuesOf = (t: Tenant, hostId: string) => t.issues(`?host=${hostId}`);

describe("automatic recovery", () => {
  it("opens an issue and queues restart_service when a service goes down", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: down });
    const [issue] = await issuesOf(t, agent.hostId);
    expect(issue).toMatchObject({
      rule: "service_down",
      target: "nginx",
      severity: "high",
      status: "recovering",
    });
    expect(commands).toEqual([
      {
        id: expect.stringMatching(/^cmd_/),
        action: "restart_service",
        target: "nginx",
        issueId: issue.id,
        expiresAt: expect.any(String),
      },
    ]);
    const [entry] = await t.history(`?issue=${issue.id}`);
    expect(entry).toMatchObject({
      status: "pending",
      trigger: "auto",
      action: "restart_service",
      verified: false,
    });
  });

  it("resolves the issue with its MTTR and a verified attempt once the restart worked", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: down });
    const second = await agent.report({ services: up, results: [result(commands[0].id, "succeeded")] });
    expect(second.commands).toEqual([]);
    const [issue] = await issuesOf(t, agent.hostId);
    expect(issue.status).toBe("resolved");
    expect(issue.mttrSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(must(issue.resolvedAt))).toBeGreaterThanOrEqual(Date.parse(issue.detectedAt));
    const detail = await t.issue(issue.id);
    expect(detail.history).toHaveLength(1);
    expect(detail.history[0]).toMatchObject({
      status: "succeeded",
      verified: true,
      exitCode: 0,
      output: "succeeded",
    });
  });

  it("queues the next attempt when the command failed and the service is still down", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const first = await agent.report({ services: down });
    const second = await agent.report({ services: down, results: [result(first.commands[0].id, "failed")] });
    expect(second.commands).toHaveLength(1);
    expect(second.commands[0].id).not.toBe(first.commands[0].id);
    const [issue] = await issuesOf(t, agent.hostId);
    expect(issue).toMatchObject({ status: "recovering", attempts: 2 });
    const history = await t.history(`?issue=${issue.id}`);
    expect(history.map((h) => h.status)).toEqual(["pending", "failed"]);
  });

  it("escalates once max_attempts have failed, and only once", async () => {
    const t = await newTenant();
    await t.config({ recovery: { max_attempts: 2 } });
    const agent = await t.enroll();
    let last = await agent.report({ services: down });
    last = await agent.report({ services: down, results: [result(last.commands[0].id, "failed")] });
    last = await agent.report({ services: down, results: [result(last.commands[0].id, "refused")] });
    expect(last.commands).toEqual([]);
    const [issue] = await issuesOf(t, agent.hostId);
    expect(issue).toMatchObject({ status: "escalated", attempts: 2, escalatedAt: expect.any(String) });
    await agent.report({ services: down });
    const [again] = await issuesOf(t, agent.hostId);
    expect(again).toMatchObject({ status: "escalated", escalatedAt: issue.escalatedAt, attempts: 2 });
  });

  it("opens the issue but queues nothing while self-healing is disabled", async () => {
    const t = await newTenant();
    await t.config({ enabled: false });
    const agent = await t.enroll();
    const response = await agent.report({ services: down });
    expect(response.commands).toEqual([]);
    expect(response.settings.enabled).toBe(false);
    const [issue] = await issuesOf(t, agent.hostId);
    expect(issue).toMatchObject({ status: "open", attempts: 0 });
  });

  it("waits for approval under require_confirmation, then /recover queues the action", async () => {
    const t = await newTenant();
    await t.config({ recovery: { require_confirmation: true } });
    const agent = await t.enroll();
    expect((await agent.report({ services: down })).commands).toEqual([]);
    const [issue] = await issuesOf(t, agent.hostId);
    expect(issue.status).toBe("awaiting_approval");

    const queued = await json<Queued>(
      "/api/healing/recover",
      { token: t.admin, body: { issue_id: issue.id, action: "auto" } },
      202,
    );
    expect(queued).toMatchObject({
      issueId: issue.id,
      hostId: agent.hostId,
      action: "restart_service",
      target: "nginx",
      status: "pending",
    });
    const { commands } = await agent.report({ services: down });
    expect(commands.map((c) => c.id)).toEqual([queued.commandId]);
    const [after] = await issuesOf(t, agent.hostId);
    expect(after.status).toBe("recovering");
    const [entry] = await t.history(`?issue=${issue.id}`);
    expect(entry).toMatchObject({ trigger: "manual", commandId: queued.commandId });
  });

  it("applies a result once however often it is re-sent", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: down });
    const failed = result(commands[0].id, "failed", { output: "first" });
    const second = await agent.report({ services: down, results: [failed, { ...failed, output: "dup" }] });
    const third = await agent.report({
      services: down,
      results: [failed, result("cmd_unknown", "succeeded")],
    });
    expect(second.commands).toHaveLength(1);
    expect(third.commands).toEqual([]);
    const [row] = await sql("SELECT status, output FROM commands WHERE id = ?", commands[0].id);
    expect(row).toEqual({ status: "failed", output: "first" });
    const [issue] = await issuesOf(t, agent.hostId);
    expect(issue.attempts).toBe(2);
  });

  it("refuses /recover on a resolved issue and 'auto' on a rule without actions (409)", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const { commands } = await agent.report({ services: down });
    await agent.report({ services: up, results: [result(commands[0].id, "succeeded")] });
    const [resolved] = await issuesOf(t, agent.hostId);
    const res = await call("/api/healing/recover", {
      token: t.admin,
      body: { issue_id: resolved.id, action: "auto" },
    });
    await expectError(res, 409, "CONFLICT");

    const from = Date.now() - 120_000;
    const samples = Array.from({ length: 13 }, (_, i) => ({
      ts: new Date(from + i * 10_000).toISOString(),
      metrics: { cpu: 10, memory: 10, disk: 99 },
    }));
    await agent.report({ samples });
    const disk = must((await issuesOf(t, agent.hostId)).find((i) => i.rule === "disk_warning"));
    expect(disk.actions).toEqual([]);
    const auto = await call("/api/healing/recover", {
      token: t.admin,
      body: { issue_id: disk.id, action: "auto" },
    });
    await expectError(auto, 409, "CONFLICT");
    const named = await json<Queued>(
      "/api/healing/recover",
      { token: t.admin, body: { issue_id: disk.id, action: "clear_cache" } },
      202,
    );
    expect(named).toMatchObject({ action: "clear_cache", target: null });
  });
});
