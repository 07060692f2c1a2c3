/**
 * Enrolment binds an identity: a host name taken by a live host cannot be claimed with the fleet's
 * shared enroll token; the host proves its own key to get fresh tokens; an admin's re-enroll
 * token is single-use and bound to its host; enroll tokens can be limited; all of it audited.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { EnrollResponse as Enrolled } from "../../agent/protocol";
import type { ReEnrollTokenSchema } from "../../worker/schemas/hosts";
import {
  call,
  expectError,
  hostKey,
  json,
  type NewToken,
  newTenant,
  sql,
  type Tenant,
} from "./support/harness";

type ReEnroll = z.infer<typeof ReEnrollTokenSchema>;

const enrollRaw = (token: string, body: Record<string, unknown>) =>
  call("/api/v1/agent/enroll", { token, body });
const refresh = (body: Record<string, unknown>) => call("/api/v1/agent/refresh", { body });
const report = (token: string) => call("/api/v1/agent/report", { token, body: { protocol: 1, samples: [] } });
const reEnroll = (t: Tenant, host: string, token = t.admin) =>
  call(`/api/v1/hosts/${host}/re-enroll`, { token, body: {} });
const limited = (t: Tenant, body: Record<string, unknown>) =>
  json<NewToken>(
    "/api/v1/tokens",
    { token: t.admin, body: { scope: "enroll", name: "limited", ...body } },
    201,
  );
const auditActions = async (t: Tenant, hostId: string) =>
  (await json<{ items: { action: string }[] }>(`/api/v1/audit?target=${hostId}`, { token: t.admin })).items
    .map((e) => e.action)
    .reverse();

describe("enrolling a name that is taken", () => {
  it("refuses the shared enroll token a live host's name (409), and the real agent's token keeps working", async () => {
    const t = await newTenant();
    const real = await t.enroll("hostB");
    const shared = await t.token("enroll");
    await expectError(await enrollRaw(shared, { name: "hostB" }), 409, "CONFLICT");
    const thief = await hostKey();
    const withOwnKey = { name: "hostB", publicKey: thief.publicKey, proof: await thief.prove("hostB") };
    const err = await expectError(await enrollRaw(shared, withOwnKey), 409, "CONFLICT");
    expect(err.message).toContain("already enrolled");
    expect((await report(real.token)).status).toBe(200);
    const tokens = await sql("SELECT id FROM tokens WHERE host_id = ? AND revoked_at IS NULL", real.hostId);
    expect(tokens).toHaveLength(1);
    expect(await auditActions(t, real.hostId)).toEqual(["host.enroll"]);
  });

  it("gives a host that proves its key the same host and a fresh token, refusing the old one", async () => {
    const t = await newTenant();
    const first = await t.enroll("web-1");
    const again = await t.enroll("web-1", { hostname: "web-1.new" }, { key: first.key });
    expect(again.hostId).toBe(first.hostId);
    expect((await report(first.token)).status).toBe(401);
    expect((await report(again.token)).status).toBe(200);
    expect((await t.host("web-1")).hostname).toBe("web-1.new");
    expect(await auditActions(t, first.hostId)).toEqual(["host.enroll", "host.key-refresh"]);
  });

  it("refuses a public key without a proof, and a proof signed by another key", async () => {
    const t = await newTenant();
    const shared = await t.token("enroll");
    const key = await hostKey();
    const res = await enrollRaw(shared, { name: "db-1", publicKey: key.publicKey });
    expect((await expectError(res, 400, "BAD_REQUEST")).issues?.[0].path).toBe("proof");
    const other = await hostKey();
    const forged = { name: "db-1", publicKey: key.publicKey, proof: await other.prove("db-1") };
    await expectError(await enrollRaw(shared, forged), 401, "UNAUTHORIZED");
    expect(await sql("SELECT id FROM hosts WHERE org_id = ?", t.orgId)).toEqual([]);
  });
});

describe("key-proven token refresh", () => {
  it("gives a host whose agent token was revoked a fresh one for its key proof", async () => {
    const t = await newTenant();
    const host = await t.enroll("web-1");
    await report(host.token); // cached in this isolate: the refresh must drop it
    const [row] = await sql("SELECT id FROM tokens WHERE host_id = ? AND revoked_at IS NULL", host.hostId);
    await json(`/api/v1/tokens/${row.id}`, { method: "DELETE", token: t.admin });
    expect((await report(host.token)).status).toBe(401);
    const proof = await host.key?.prove("web-1");
    const res = await json<Enrolled>("/api/v1/agent/refresh", {
      body: { hostId: host.hostId, name: "web-1", proof },
    });
    expect(res.hostId).toBe(host.hostId);
    expect((await report(res.agentToken)).status).toBe(200);
    expect((await report(host.token)).status).toBe(401);
    const [entry] = (
      await json<{ items: { action: string; actor: { name: string; scope: string } }[] }>(
        `/api/v1/audit?action=host.key-refresh`,
        { token: t.admin },
      )
    ).items;
    expect(entry.actor).toMatchObject({ name: "host key of web-1", scope: "agent" });
  });

  it("refuses a bad signature, a replayed or older proof, a stale or future time, and a wrong name (401)", async () => {
    const t = await newTenant();
    const host = await t.enroll("web-1");
    const key = host.key as NonNullable<typeof host.key>;
    const body = (name: string, proof: unknown) => ({ hostId: host.hostId, name, proof });
    const other = await hostKey();
    await expectError(await refresh(body("web-1", await other.prove("web-1"))), 401, "UNAUTHORIZED");
    const good = await key.prove("web-1");
    expect((await refresh(body("web-1", good))).status).toBe(200);
    const replay = await expectError(await refresh(body("web-1", good)), 401, "UNAUTHORIZED");
    expect(replay.message).toContain("replay");
    const older = await key.prove("web-1", Date.parse(good.at) - 1000);
    await expectError(await refresh(body("web-1", older)), 401, "UNAUTHORIZED");
    const stale = await expectError(
      await refresh(body("web-1", await key.prove("web-1", Date.now() - 10 * 60_000))),
      401,
      "UNAUTHORIZED",
    );
    expect(stale.message).toContain("clock");
    const future = await key.prove("web-1", Date.now() + 10 * 60_000);
    await expectError(await refresh(body("web-1", future)), 401, "UNAUTHORIZED");
    await expectError(await refresh(body("web-2", await key.prove("web-2"))), 401, "UNAUTHORIZED");
    const unknown = { hostId: "hst_nope", name: "web-1", proof: await key.prove("web-1") };
    await expectError(await refresh(unknown), 401, "UNAUTHORIZED");
    const live = await sql("SELECT id FROM tokens WHERE host_id = ? AND revoked_at IS NULL", host.hostId);
    expect(live).toHaveLength(1);
  });

  it("lets only one of two simultaneous refreshes with the same proof through", async () => {
    const t = await newTenant();
    const host = await t.enroll("web-1");
    const proof = await host.key?.prove("web-1");
    const body = { hostId: host.hostId, name: "web-1", proof };
    const statuses = (await Promise.all([refresh(body), refresh(body), refresh(body)])).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(2);
  });
});

describe("admin re-enrolment", () => {
  it("issues a single-use token bound to its host that revokes the old identity at once", async () => {
    const t = await newTenant();
    const old = await t.enroll("web-1");
    await t.enroll("web-2");
    expect((await report(old.token)).status).toBe(200); // now cached in this isolate: the issue must drop it
    const issued = await json<ReEnroll>(
      `/api/v1/hosts/${old.hostId}/re-enroll`,
      { token: t.admin, body: {} },
      201,
    );
    expect(issued).toMatchObject({
      hostId: old.hostId,
      name: "web-1",
      token: expect.stringMatching(/^sh_enroll_/),
    });
    const [stored] = await sql("SELECT hash, max_uses, host_id FROM tokens WHERE id = ?", issued.tokenId);
    expect(stored).toMatchObject({ max_uses: 1, host_id: old.hostId });
    expect(stored.hash).not.toContain(issued.token);
    expect((await report(old.token)).status).toBe(401);
    const oldProof = { hostId: old.hostId, name: "web-1", proof: await old.key?.prove("web-1") };
    await expectError(await refresh(oldProof), 401, "UNAUTHORIZED");
    const fresh = await hostKey();
    const as = async (name: string) => ({ name, publicKey: fresh.publicKey, proof: await fresh.prove(name) });
    await expectError(await enrollRaw(issued.token, await as("web-2")), 403, "FORBIDDEN");
    await expectError(await enrollRaw(issued.token, await as("web-3")), 403, "FORBIDDEN");
    const back = await json<Enrolled>("/api/v1/agent/enroll", {
      token: issued.token,
      body: await as("web-1"),
    });
    expect(back.hostId).toBe(old.hostId);
    expect((await report(back.agentToken)).status).toBe(200);
    await expectError(await enrollRaw(issued.token, await as("web-1")), 403, "FORBIDDEN");
    const refreshed = await refresh({ hostId: old.hostId, name: "web-1", proof: await fresh.prove("web-1") });
    expect(refreshed.status).toBe(200);
    expect(await auditActions(t, old.hostId)).toEqual([
      "host.enroll",
      "host.re-enroll",
      "host.enroll",
      "host.key-refresh",
    ]);
  });

  it("moves a host enrolled before host keys to a key only through a re-enroll token", async () => {
    const t = await newTenant();
    const legacy = await t.enroll("old-1", undefined, { key: null });
    expect((await t.host("old-1")).hostKey).toBe(false);
    const shared = await t.token("enroll");
    await expectError(await enrollRaw(shared, { name: "old-1" }), 409, "CONFLICT");
    const key = await hostKey();
    const claim = { name: "old-1", publicKey: key.publicKey, proof: await key.prove("old-1") };
    const refused = await expectError(await enrollRaw(shared, claim), 409, "CONFLICT");
    expect(refused.message).toContain("re-enroll");
    expect((await report(legacy.token)).status).toBe(200);
    const issued = await json<ReEnroll>(
      "/api/v1/hosts/old-1/re-enroll",
      { method: "POST", token: t.admin },
      201,
    );
    const body = { name: "old-1", publicKey: key.publicKey, proof: await key.prove("old-1") };
    const back = await json<Enrolled>("/api/v1/agent/enroll", { token: issued.token, body });
    expect(back.hostId).toBe(legacy.hostId);
    expect((await t.host("old-1")).hostKey).toBe(true);
  });

  it("keeps re-enrolment to admins of the host's org", async () => {
    const t = await newTenant();
    const other = await newTenant();
    const host = await t.enroll("web-1");
    await expectError(await reEnroll(t, host.hostId, await t.token("read")), 403, "FORBIDDEN");
    await expectError(await reEnroll(other, host.hostId), 404, "NOT_FOUND");
    expect((await report(host.token)).status).toBe(200);
  });
});

describe("limited enroll tokens", () => {
  it("refuses an enroll token past its uses for new hosts, even when the uses race", async () => {
    const t = await newTenant();
    const twice = await limited(t, { maxUses: 2 });
    expect(twice).toMatchObject({ maxUses: 2, hostGroups: null });
    const first = await t.enroll("a-1", undefined, { token: twice.token });
    await t.enroll("a-2", undefined, { token: twice.token });
    const spent = await expectError(await enrollRaw(twice.token, { name: "a-3" }), 403, "FORBIDDEN");
    expect(spent.message).toContain("no uses left");
    // A host proving its own key is no new host: the spent token still lets it in (new server URL).
    const back = await t.enroll("a-1", undefined, { token: twice.token, key: first.key });
    expect(back.hostId).toBe(first.hostId);
    const once = await limited(t, { maxUses: 1 });
    const raced = await Promise.all(["r-1", "r-2", "r-3"].map((name) => enrollRaw(once.token, { name })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 403, 403]);
    const { items } = await t.get<{ items: { id: string; uses: number; maxUses: number | null }[] }>(
      "/api/v1/tokens",
    );
    expect(items.find((i) => i.id === twice.id)).toMatchObject({ uses: 2, maxUses: 2 });
    expect(items.find((i) => i.id === once.id)).toMatchObject({ uses: 1, maxUses: 1 });
  });

  it("refuses an expired enroll token (401)", async () => {
    const t = await newTenant();
    const token = await limited(t, { expiresIn: 60 });
    await sql("UPDATE tokens SET expires_at = ? WHERE id = ?", Date.now() - 1000, token.id);
    await expectError(await enrollRaw(token.token, { name: "late-1" }), 401, "UNAUTHORIZED");
  });

  it("enrols only into the token's host groups", async () => {
    const t = await newTenant();
    const web = await limited(t, { hostGroups: ["web"] });
    await expectError(await enrollRaw(web.token, { name: "g-1", group: "db" }), 403, "FORBIDDEN");
    await t.enroll("g-2", undefined, { token: web.token });
    expect((await t.host("g-2")).group).toBe("web");
    const two = await limited(t, { hostGroups: ["web", "db"] });
    await expectError(await enrollRaw(two.token, { name: "g-3" }), 403, "FORBIDDEN");
    await t.enroll("g-4", undefined, { token: two.token, group: "db" });
    expect((await t.host("g-4")).group).toBe("db");
    expect(await sql("SELECT name FROM hosts WHERE org_id = ? ORDER BY name", t.orgId)).toEqual([
      { name: "g-2" },
      { name: "g-4" },
    ]);
  });

  it("refuses uses and groups on tokens that do not enrol (400)", async () => {
    const t = await newTenant();
    for (const body of [
      { scope: "read", maxUses: 1 },
      { scope: "admin", hostGroups: ["web"] },
    ]) {
      const res = await call("/api/v1/tokens", { token: t.admin, body: { name: "x", ...body } });
      await expectError(res, 400, "BAD_REQUEST");
    }
  });
});

describe("the database guards behind the checks", () => {
  // Requests that read before either wrote pass the service's checks together: the batch's
  // triggers are what refuse the loser. Here the losing write is made directly.
  it("aborts a use past an enroll token's cap and a key proof not newer than the last", async () => {
    const t = await newTenant();
    const once = await limited(t, { maxUses: 1 });
    const host = await t.enroll("web-1", undefined, { token: once.token });
    await expect(sql("UPDATE tokens SET uses = uses + 1 WHERE id = ?", once.id)).rejects.toThrow(
      /enroll token spent/,
    );
    const [row] = await sql("SELECT key_proof_at FROM hosts WHERE id = ?", host.hostId);
    const last = row.key_proof_at as number;
    for (const at of [last, last - 1]) {
      await expect(sql("UPDATE hosts SET key_proof_at = ? WHERE id = ?", at, host.hostId)).rejects.toThrow(
        /key proof replayed/,
      );
    }
    await sql("UPDATE hosts SET key_proof_at = ? WHERE id = ?", last + 1, host.hostId);
    expect(await sql("SELECT uses FROM tokens WHERE id = ?", once.id)).toEqual([{ uses: 1 }]);
  });
});
