import { describe, expect, it } from "vitest";
import {
  call,
  expectError,
  json,
  type NewToken,
  newTenant,
  result,
  service,
  sql,
  type Tenant,
} from "./support/harness";
import { actions, auditOf } from "./support/sec-harness";

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const down = [service("nginx", "down")];

async function changeEverything(t: Tenant) {
  await t.config({ monitoring: { interval: 30 } });
  const rule = { id: "cpu_hot", name: "CPU hot", kind: "threshold", metric: "cpu", threshold: 90 };
  await json("/api/v1/rules", { token: t.admin, body: { ...rule, severity: "high", actions: [] } }, 201);
  await json("/api/v1/rules/cpu_hot/disable", { method: "POST", token: t.admin });
  await json("/api/v1/rules/cpu_hot", { method: "PATCH", token: t.admin, body: { threshold: 95 } });
  await json("/api/v1/rules/cpu_hot", { method: "DELETE", token: t.admin });
  const body = { name: "ops", kind: "slack", url: "https://hooks.slack.com/services/T/B/SECRETPART" };
  const channel = await json<{ id: string }>("/api/v1/channels", { token: t.admin, body }, 201);
  await json(`/api/v1/channels/${channel.id}`, { method: "PATCH", token: t.admin, body: { enabled: false } });
  await call(`/api/v1/channels/${channel.id}`, { method: "DELETE", token: t.admin });
  const win = { endsAt: inAnHour(), reason: "deploy" };
  const window = await json<{ id: string }>("/api/v1/maintenance", { token: t.admin, body: win }, 201);
  await call(`/api/v1/maintenance/${window.id}`, { method: "DELETE", token: t.admin });
  const hook = { url: "http://receiver.test/x?key=HOOKSECRET", timeoutMs: 1000 };
  await json("/api/v1/action-webhooks/scale", { method: "PUT", token: t.admin, body: hook });
  await call("/api/v1/action-webhooks/scale", { method: "DELETE", token: t.admin });
}

describe("the audit log", () => {
  it("records config, rule, channel, maintenance and webhook changes with who and what", async () => {
    const t = await newTenant();
    await changeEverything(t);
    expect((await actions(t.admin)).reverse()).toEqual([
      "config.update",
      "rule.create",
      "rule.disable",
      "rule.update",
      "rule.delete",
      "channel.create",
      "channel.update",
      "channel.delete",
      "maintenance.create",
      "maintenance.delete",
      "webhook.put",
      "webhook.delete",
    ]);
    const { items } = await auditOf(t.admin);
    for (const e of items) {
      expect(e.actor).toEqual({
        tokenId: expect.stringMatching(/^tok[-_]/),
        userId: null,
        name: "test admin",
        scope: "admin",
      });
      expect(e.result).toBe("ok");
    }
    expect(JSON.stringify(items)).not.toMatch(/SECRETPART|HOOKSECRET/);
  });

  it("records token creation, revocation and enrolment, naming the acting token", async () => {
    const t = await newTenant();
    const body = { scope: "read", name: "ci", expiresIn: 3600 };
    const created = await json<NewToken>("/api/v1/tokens", { token: t.admin, body }, 201);
    await json(`/api/v1/tokens/${created.id}`, { method: "DELETE", token: t.admin });
    await json(`/api/v1/tokens/${created.id}`, { method: "DELETE", token: t.admin });
    const host = await t.enroll("web-1");
    const { items } = await auditOf(t.admin, "?action=token");
    const mine = items.filter((e) => e.targetId === created.id).map((e) => e.action);
    expect(mine).toEqual(["token.revoke", "token.create"]);
    expect(items.find((e) => e.summary.includes("web-1"))?.actor.scope).toBe("enroll");
    const [row] = await sql("SELECT id FROM tokens WHERE host_id = ? AND revoked_at IS NULL", host.hostId);
    expect(items.some((e) => e.targetId === row.id)).toBe(true);
  });

  it("records approvals, rejections, queued commands and their results", async () => {
    const t = await newTenant();
    await t.config({ recovery: { require_confirmation: true } });
    const agent = await t.enroll();
    await agent.report({ services: down });
    const waiting = await json<{ items: { id: string }[] }>("/api/v1/commands", { token: t.admin });
    const id = waiting.items[0].id;
    await json(`/api/v1/commands/${id}/approve`, { method: "POST", token: t.admin });
    const { commands } = await agent.report({ services: down });
    await agent.report({ services: down, results: [result(commands[0].id, "failed")] });
    const log = (await auditOf(t.admin, `?target=${id}`)).items;
    expect(log.map((e) => [e.action, e.actor.scope, e.result]).reverse()).toEqual([
      ["command.queue", "agent", "ok"],
      ["command.approve", "admin", "ok"],
      ["command.result", "agent", "failed"],
    ]);
    const second = await newTenant();
    await second.config({ recovery: { require_confirmation: true } });
    const other = await second.enroll();
    await other.report({ services: down });
    const [cmd] = (await json<{ items: { id: string }[] }>("/api/v1/commands", { token: second.admin }))
      .items;
    const reject = { method: "POST", token: second.admin, body: { reason: "not now" } };
    await json(`/api/v1/commands/${cmd.id}/reject`, reject);
    expect(await actions(second.admin, "?action=command.reject")).toEqual(["command.reject"]);
  });

  it("pages newest first with a cursor and filters by action, actor and time", async () => {
    const t = await newTenant();
    for (let i = 0; i < 5; i++) await t.token("read", `t${i}`);
    const first = await auditOf(t.admin, "?limit=2");
    expect(first.items).toHaveLength(2);
    const second = await auditOf(t.admin, `?limit=2&cursor=${first.nextCursor}`);
    const third = await auditOf(t.admin, `?limit=2&cursor=${second.nextCursor}`);
    expect(third.nextCursor).toBeNull();
    const names = [...first.items, ...second.items, ...third.items].map((e) => e.summary);
    expect(names).toEqual([4, 3, 2, 1, 0].map((i) => `read token "t${i}"`));
    const [row] = await sql("SELECT id FROM tokens WHERE org_id = ? AND scope = 'admin'", t.orgId);
    expect((await auditOf(t.admin, `?actor=${row.id}`)).items).toHaveLength(5);
    expect((await auditOf(t.admin, "?action=config")).items).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await auditOf(t.admin, `?from=${future}`)).items).toEqual([]);
    await expectError(await call("/api/v1/audit?cursor=nope", { token: t.admin }), 400, "BAD_REQUEST");
  });

  it("is readable by admins of its own org only and never writable through the API", async () => {
    const a = await newTenant();
    const b = await newTenant();
    await a.token("read", "a-secret-name");
    expect(JSON.stringify(await auditOf(b.admin))).not.toContain("a-secret-name");
    await expectError(await call("/api/v1/audit", { token: await a.token("read") }), 403, "FORBIDDEN");
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const res = await call("/api/v1/audit", { method, token: a.admin, body: {} });
      await expectError(res, 405, "METHOD_NOT_ALLOWED");
    }
  });

  it("writes nothing, not even an entry, when a change is refused", async () => {
    const t = await newTenant();
    await expectError(
      await call("/api/v1/maintenance/mnt_missing", { method: "DELETE", token: t.admin }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/api/v1/action-webhooks/none", { method: "DELETE", token: t.admin }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/api/v1/hosts/nope", { method: "PATCH", token: t.admin, body: { group: "g" } }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/api/healing/config", { token: t.admin, body: { monitoring: { interval: -1 } } }),
      400,
      "BAD_REQUEST",
    );
    expect(await actions(t.admin)).toEqual([]);
  });
});
