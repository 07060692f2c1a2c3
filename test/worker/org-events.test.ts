/**
 * The org's events channel (worker/objects/org-events): a dashboard signed in with its session
 * cookie hears of every change to its org's issues, commands and services, never another org's,
 * never a steady report, and a revoked session stops hearing at once.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OrgEvent } from "../../worker/schemas/events";
import { call, json, must, newTenant, service, sessionCookie } from "./support/harness";

interface Listener {
  ws: WebSocket;
  events: OrgEvent[];
  /** Resolves with the next event (pongs skipped). */
  next(timeoutMs?: number): Promise<OrgEvent | "timeout">;
}

/** A dashboard signed in with `token` (as a session, or with this session cookie) listening to its org's events. */
async function listen(token: string, cookie?: string): Promise<Listener> {
  const res = await call("/api/v1/events", {
    headers: { upgrade: "websocket", cookie: cookie ?? (await sessionCookie(token)) },
  });
  expect(res.status).toBe(101);
  const ws = must(res.webSocket);
  ws.accept();
  const events: OrgEvent[] = [];
  const waiting: ((e: OrgEvent) => void)[] = [];
  ws.addEventListener("message", (e: MessageEvent) => {
    if (e.data === "pong") return;
    const event = JSON.parse(String(e.data)) as OrgEvent;
    events.push(event);
    waiting.shift()?.(event);
  });
  return {
    ws,
    events,
    next: (timeoutMs = 3000) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        setTimeout(() => resolve("timeout"), timeoutMs);
      }),
  };
}

const orgObject = (orgId: string) => env.ORG_EVENTS.get(env.ORG_EVENTS.idFromName(orgId));

describe("the org events channel", () => {
  it("pushes an event to a signed-in dashboard when a report opens an issue and when it resolves", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "up")] });
    const reader = await t.token("read");
    const dash = await listen(reader);
    const opened = dash.next();
    await agent.report({ services: [service("nginx", "down", { detail: "inactive (dead)" })] });
    const event = await opened;
    expect(event).toMatchObject({ type: "changed", hostId: agent.hostId });
    expect((event as OrgEvent).topics).toContain("issues");
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(issue.status).not.toBe("resolved");
    const resolved = dash.next();
    await agent.report({ services: [service("nginx", "up")] });
    expect(await resolved).toMatchObject({ type: "changed", hostId: agent.hostId });
    dash.ws.close(1000, "done");
  });

  it("says nothing about a steady report", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: [service("nginx", "up")] });
    const dash = await listen(t.admin);
    const heard = dash.next(1500);
    await agent.report({ services: [service("nginx", "up")] });
    await agent.report({ services: [service("nginx", "up")] });
    expect(await heard).toBe("timeout");
    dash.ws.close(1000, "done");
  });

  it("pushes a dashboard action (a config edit) to the other dashboards of the org", async () => {
    const t = await newTenant();
    const dash = await listen(await t.token("operator"));
    const heard = dash.next();
    await t.config({ enabled: false });
    expect(await heard).toMatchObject({ type: "changed", hostId: null, topics: ["config"] });
    dash.ws.close(1000, "done");
  });

  it("keeps orgs apart: another org's dashboard hears nothing of this org's issue", async () => {
    const mine = await newTenant();
    const other = await newTenant();
    const agent = await mine.enroll();
    await agent.report({ services: [service("nginx", "up")] });
    const theirs = await listen(other.admin);
    const ours = await listen(mine.admin);
    const heardByThem = theirs.next(1500);
    const heardByUs = ours.next();
    await agent.report({ services: [service("nginx", "down")] });
    expect(await heardByUs).toMatchObject({ hostId: agent.hostId });
    expect(await heardByThem).toBe("timeout");
    // even a notify naming this org, sent to the other org's object, reaches nobody there
    expect(
      await orgObject(other.orgId).notify(mine.orgId, { type: "changed", topics: [], hostId: null, at: 1 }),
    ).toBe(0);
    theirs.ws.close(1000, "done");
    ours.ws.close(1000, "done");
  });

  it("needs a dashboard session: no credentials 401, agent and enroll tokens 403, a plain GET 400", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const upgrade = { upgrade: "websocket" };
    expect((await call("/api/v1/events", { headers: upgrade })).status).toBe(401);
    expect((await call("/api/v1/events", { token: agent.token, headers: upgrade })).status).toBe(403);
    expect((await call("/api/v1/events", { token: await t.token("enroll"), headers: upgrade })).status).toBe(
      403,
    );
    const plain = await call("/api/v1/events", { token: t.admin });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { error: { message: string } }).error.message).toMatch(/WebSocket/);
  });

  it("closes a dashboard's socket when its token is revoked, and answers ping with pong", async () => {
    const t = await newTenant();
    const created = await json<{ id: string; token: string }>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "read", name: "wall screen" } },
      201,
    );
    const dash = await listen(created.token);
    const pong = new Promise<string>((resolve) =>
      dash.ws.addEventListener("message", (e: MessageEvent) => resolve(String(e.data)), { once: true }),
    );
    dash.ws.send("ping");
    expect(await pong).toBe("pong");
    const closed = new Promise<number>((resolve) =>
      dash.ws.addEventListener("close", (e: CloseEvent) => resolve(e.code)),
    );
    await json(`/api/v1/tokens/${created.id}`, { token: t.admin, method: "DELETE" });
    expect(await closed).toBe(4001);
    expect(await orgObject(t.orgId).listeners()).toBe(0);
  });

  it("closes a dashboard's socket when its session signs out, and leaves the same token's other sessions open", async () => {
    const t = await newTenant();
    const cookie = await sessionCookie(t.admin);
    const leaving = await listen(t.admin, cookie);
    const staying = await listen(t.admin);
    const closed = new Promise<number>((resolve) =>
      leaving.ws.addEventListener("close", (e: CloseEvent) => resolve(e.code)),
    );
    const out = await call("/api/v1/session", { method: "DELETE", headers: { cookie } });
    expect(out.status).toBe(204);
    expect(await closed).toBe(4001);
    expect(await orgObject(t.orgId).listeners()).toBe(1);
    staying.ws.close(1000, "done");
  });
});
