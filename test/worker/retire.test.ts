import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { GateSchema } from "../../worker/schemas/gates";
import type { RetiredHostSchema } from "../../worker/schemas/hosts";
import { call, expectError, json, newTenant, service, sql } from "./support/harness";

type Retired = z.infer<typeof RetiredHostSchema>;
type Gate = z.infer<typeof GateSchema>;

describe("retiring a host", () => {
  it("revokes its tokens, resolves its issues with their events, keeps its history, and drops it from the fleet and the gates", async () => {
    const t = await newTenant();
    const gone = await t.enroll("gone-1", undefined, { group: "web" });
    const kept = await t.enroll("kept-1", undefined, { group: "web" });
    await gone.report({ services: [service("nginx", "down")] });
    await kept.report({ services: [service("nginx", "up")] });
    const [issue] = await t.issues(`?host=${gone.hostId}`);
    expect((await json<Gate>("/api/v1/gate?group=web", { token: t.admin })).pass).toBe(false);

    const retired = await json<Retired>(`/api/v1/hosts/${gone.name}`, { method: "DELETE", token: t.admin });
    expect(retired).toMatchObject({ id: gone.hostId, name: "gone-1", tokensRevoked: 1, issuesResolved: 1 });

    await expectError(
      await call("/api/v1/agent/report", { token: gone.token, body: { protocol: 1, samples: [] } }),
      401,
      "UNAUTHORIZED",
    );
    expect((await t.issue(issue.id)).status).toBe("resolved");
    const events = await sql(
      "SELECT event FROM notifications WHERE issue_id = ? ORDER BY created_at",
      issue.id,
    );
    expect(events.map((e) => e.event)).toContain("resolved");
    expect((await t.history(`?issue=${issue.id}`)).length).toBeGreaterThan(0);

    const list = await json<{ items: { name: string }[] }>("/api/v1/hosts", { token: t.admin });
    expect(list.items.map((h) => h.name)).toEqual(["kept-1"]);
    const page = await t.host(gone.hostId);
    expect(page).toMatchObject({ name: "gone-1", online: false, retiredAt: retired.retiredAt });
    const gate = await json<Gate>("/api/v1/gate?group=web", { token: t.admin });
    expect(gate).toMatchObject({ pass: true, hosts: [{ name: "kept-1" }] });
    const audit = await sql(
      "SELECT action FROM audit_log WHERE org_id = ? AND target_id = ?",
      t.orgId,
      gone.hostId,
    );
    expect(audit.map((a) => a.action)).toContain("host.retire");
  });

  it("a retired host's key no longer brings it back: enrolling its name again is refused until an admin re-enrols it", async () => {
    const t = await newTenant();
    const gone = await t.enroll("gone-2");
    await json(`/api/v1/hosts/${gone.hostId}`, { method: "DELETE", token: t.admin });
    const enroll = await t.token("enroll");
    const proof = await gone.key?.prove("gone-2");
    const res = await call("/api/v1/agent/enroll", {
      token: enroll,
      body: { name: "gone-2", publicKey: gone.key?.publicKey, proof },
    });
    await expectError(res, 409, "CONFLICT");
    const { token } = await json<{ token: string }>(
      `/api/v1/hosts/${gone.hostId}/re-enroll`,
      { token: t.admin, body: {} },
      201,
    );
    await json("/api/v1/agent/enroll", { token, body: { name: "gone-2" } });
    expect((await t.host(gone.hostId)).retiredAt).toBeNull();
  });

  it("answers 409 for a host already retired, 404 for an unknown one, and 400 naming the field for a bad id", async () => {
    const t = await newTenant();
    const gone = await t.enroll("gone-3");
    await json(`/api/v1/hosts/${gone.hostId}`, { method: "DELETE", token: t.admin });
    await expectError(
      await call(`/api/v1/hosts/${gone.hostId}`, { method: "DELETE", token: t.admin }),
      409,
      "CONFLICT",
    );
    await expectError(
      await call("/api/v1/hosts/hst_nobody", { method: "DELETE", token: t.admin }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/api/v1/hosts/(edge)", { method: "DELETE", token: t.admin }),
      404,
      "NOT_FOUND",
    );
    const bad = await call(`/api/v1/hosts/${"x".repeat(129)}`, { method: "DELETE", token: t.admin });
    const error = await expectError(bad, 400, "BAD_REQUEST");
    expect(error.issues?.map((i) => i.path)).toContain("id");
    const read = await t.token("read");
    await expectError(
      await call(`/api/v1/hosts/${gone.hostId}`, { method: "DELETE", token: read }),
      403,
      "FORBIDDEN",
    );
  });
});
