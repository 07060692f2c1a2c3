import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "../../worker/db/client";
import worker from "../../worker/index";
import { flushDue } from "../../worker/services/notify/flush";
import { queueReminders } from "../../worker/services/notify/reminders";
import { json, newTenant, service, sql, type Tenant } from "./support/harness";
import { addChannel, deliveries, idle, recordOutbound, settle } from "./support/notify-harness";

let restore = () => {};
afterEach(() => restore());
const MIN = 60_000;
const db = () => createDb(env.DB);

/** A tenant with one issue announced on `channels`; returns the moment its opened message went out. */
async function announced(t: Tenant, channels: Record<string, unknown>[]) {
  const ids = [];
  for (const body of channels) ids.push((await addChannel(t, { kind: "slack", ...body })).id);
  // No recovery: the issue stays open until the test resolves or acknowledges it.
  await t.config({ recovery: { auto_recovery: false } });
  const agent = await t.enroll("web-1");
  await agent.report({ services: [service("nginx", "down")] });
  const opened = async () => (await deliveries(t, "?status=delivered")).filter((d) => d.event === "opened");
  await settle(async () => (await opened()).length === channels.length);
  await idle(t.orgId);
  const [row] = await sql("SELECT max(delivered_at) AS at FROM deliveries WHERE org_id = ?", t.orgId);
  const [issue] = await t.issues();
  return { at: Number(row.at), issue, ids };
}

/**
 * Queues and sends what is due at `now` (both steps run with the clock the test hands them);
 * returns how many reminders this tenant got (other tests' tenants share the database).
 */
async function remindAt(t: Tenant, now: number) {
  const count = async () =>
    Number(
      (await sql("SELECT count(*) AS n FROM deliveries WHERE org_id = ? AND event = 'reminder'", t.orgId))[0]
        .n,
    );
  const before = await count();
  await queueReminders(db(), now);
  await flushDue(db(), env, now);
  return (await count()) - before;
}

describe("repeat reminders", () => {
  it("remind once per interval while an issue stays unresolved, and stop once it is acknowledged", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    const { at, issue } = await announced(t, [{ url: "http://receiver.test/slack", repeatMinutes: 30 }]);
    const before = out.sent.length;
    expect(await remindAt(t, at + 29 * MIN)).toBe(0);
    expect(await remindAt(t, at + 30 * MIN)).toBe(1);
    expect(await remindAt(t, at + 31 * MIN)).toBe(0);
    expect(await remindAt(t, at + 59 * MIN)).toBe(0);
    expect(await remindAt(t, at + 60 * MIN)).toBe(1);
    const reminders = out.sent.slice(before);
    expect(reminders).toHaveLength(2);
    expect(reminders[0].json.text).toContain("still unresolved");
    expect(JSON.stringify(reminders[0].json.blocks)).toContain("web-1");

    await json(`/api/v1/issues/${issue.id}/acknowledge`, { token: t.admin, method: "POST" });
    await idle(t.orgId);
    expect(await remindAt(t, at + 120 * MIN)).toBe(0);
    const log = await deliveries(t, "?status=delivered");
    expect(log.filter((d) => d.event === "reminder")).toHaveLength(2);
  });

  it("keep each channel's own interval and leave channels without one alone", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    const { at, ids } = await announced(t, [
      { url: "http://receiver.test/a", repeatMinutes: 10 },
      { url: "http://receiver.test/b", repeatMinutes: 45 },
      { url: "http://receiver.test/c" },
    ]);
    for (let m = 5; m <= 90; m += 5) await remindAt(t, at + m * MIN);
    const sentTo = (path: string) =>
      out.sent.filter((s) => s.url.endsWith(path) && s.json.text.includes("still"));
    expect(sentTo("/a")).toHaveLength(9);
    expect(sentTo("/b")).toHaveLength(2);
    expect(sentTo("/c")).toHaveLength(0);
    const [row] = await sql(
      "SELECT count(*) AS n FROM deliveries WHERE channel_id = ? AND event = 'reminder'",
      ids[2],
    );
    expect(Number(row.n)).toBe(0);
  });

  it("stop when the issue resolves", async () => {
    restore = recordOutbound().restore;
    const t = await newTenant();
    const { at } = await announced(t, [{ url: "http://receiver.test/slack", repeatMinutes: 15 }]);
    await sql("UPDATE issues SET status = 'resolved', resolved_at = ? WHERE org_id = ?", at, t.orgId);
    expect(await remindAt(t, at + 60 * MIN)).toBe(0);
  });

  it("go out from the cron's notification step", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await announced(t, [{ url: "http://receiver.test/slack", repeatMinutes: 20 }]);
    // The opened message went out 21 minutes ago, as far as the cron can tell.
    await sql("UPDATE deliveries SET delivered_at = delivered_at - ? WHERE org_id = ?", 21 * MIN, t.orgId);
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
    const reminder = (await deliveries(t)).find((d) => d.event === "reminder");
    expect(reminder).toMatchObject({ status: "delivered", lastStatusCode: 200 });
    expect(out.sent.filter((s) => s.json.text.includes("still unresolved"))).toHaveLength(1);
  });
});
