import { afterEach, describe, expect, it } from "vitest";
import type { FleetIncident, FleetIncidentDetail } from "../../worker/schemas/fleet";
import { type Agent, call, json, newTenant, service, sql, type Tenant, unique } from "./support/harness";
import { addChannel, idle, recordOutbound, type Sent } from "./support/notify-harness";

let restore = () => {};
afterEach(() => restore());

const incidents = async (t: Tenant, query = "") =>
  (await t.get<{ items: FleetIncident[] }>(`/api/v1/incidents${query}`)).items;
const incident = (t: Tenant, id: string) => t.get<FleetIncidentDetail>(`/api/v1/incidents/${id}`);

async function hostsIn(t: Tenant, group: string, n: number): Promise<Agent[]> {
  const agents: Agent[] = [];
  for (let i = 0; i < n; i++) agents.push(await t.enroll(unique(group), undefined, { group }));
  return agents;
}

/** Each host reports nginx down, one after the other (the service_down rule opens at once). */
async function failInTurn(agents: Agent[]) {
  let handedCommands = 0;
  for (const a of agents)
    if ((await a.report({ services: [service("nginx", "down")] })).commands.length > 0) handedCommands++;
  return handedCommands;
}

/** The pages the recording receiver got: one per opened event sent, with the issue it names. */
type SentEvent = { event: string; issue: { id: string } };
function openedPages(sent: Sent[]) {
  return sent.flatMap((s) =>
    ((s.json?.events ?? []) as SentEvent[]).filter((e) => e.event === "opened").map((e) => e.issue.id),
  );
}

describe("fleet correlation", () => {
  it("turns one rule firing on many hosts of a group into one incident that pages once", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) });
    const web = await hostsIn(t, "web", 5);
    const recovering = await failInTurn(web);
    // the members still recover as the group's rolling limit allows: half of 5 at once
    expect(recovering).toBe(2);
    await idle(t.orgId);

    const [fleet, ...others] = await incidents(t);
    expect(others).toEqual([]);
    expect(fleet).toMatchObject({
      group: "web",
      rule: "service_down",
      target: "nginx",
      status: "open",
      hosts: 5,
    });
    expect(fleet.probableCause).toBeNull();
    const detail = await incident(t, fleet.id);
    expect(detail.members.map((m) => m.hostId).sort()).toEqual(web.map((a) => a.hostId).sort());
    const lead = detail.members.filter((m) => m.lead);
    expect(lead.map((m) => m.hostId)).toEqual([web[0].hostId]);

    // every member shows its incident
    const issues = await t.issues();
    expect(issues).toHaveLength(5);
    for (const i of issues) expect(i.fleetIncident).toEqual({ id: fleet.id, probableCause: null });

    // one page: the lead's; the other four hosts' issues sent nothing
    expect(openedPages(out.sent)).toEqual([lead[0].issueId]);
  });

  it("keeps hosts of different groups, and failures spread over time, apart", async () => {
    const out = recordOutbound();
    restore = out.restore;
    const t = await newTenant();
    await addChannel(t, { kind: "webhook", url: "http://receiver.test/hook", secret: "s".repeat(32) });
    const [web1, web2, web3] = await hostsIn(t, "web", 3);
    const [db1] = await hostsIn(t, "db", 1);
    const ungrouped = await t.enroll(unique("solo"));

    await failInTurn([web1, db1, ungrouped]);
    expect(await incidents(t)).toEqual([]);

    // web-1's issue opened 20 minutes ago: web-2, failing now, is no part of it
    await sql("UPDATE issues SET detected_at = detected_at - 1200000 WHERE host_id = ?", web1.hostId);
    await failInTurn([web2]);
    expect(await incidents(t)).toEqual([]);

    // web-3 within minutes of web-2: those two, without web-1
    await failInTurn([web3]);
    const [fleet] = await incidents(t);
    const members = (await incident(t, fleet.id)).members.map((m) => m.hostId);
    expect(members.sort()).toEqual([web2.hostId, web3.hostId].sort());
    const solo = (await t.issues()).filter((i) => [web1, db1, ungrouped].some((a) => a.hostId === i.hostId));
    expect(solo.map((i) => i.fleetIncident)).toEqual([null, null, null]);

    await idle(t.orgId);
    // web-1, db-1, the ungrouped host and web-2 (the incident's lead) each paged; web-3 did not
    expect(openedPages(out.sent)).toHaveLength(4);
  });

  it("names a deploy watch on the group that came just before as the probable cause", async () => {
    const t = await newTenant();
    const web = await hostsIn(t, "web", 3);
    const watch = await json<{ id: string }>(
      "/api/v1/gate/watch",
      { token: t.admin, body: { group: "web", windowSeconds: 600 } },
      201,
    );
    await failInTurn(web);
    const [fleet] = await incidents(t);
    expect(fleet.probableCause).toMatchObject({ kind: "deploy", ref: watch.id });
    expect(fleet.probableCause?.summary).toContain(watch.id);
    const [issue] = await t.issues();
    expect(issue.fleetIncident?.probableCause).toContain(watch.id);
  });

  it("names a config change that came just before as the probable cause", async () => {
    const t = await newTenant();
    const web = await hostsIn(t, "web", 2);
    await t.config({ monitoring: { interval: 30 } });
    const [change] = await sql(
      "SELECT id FROM audit_log WHERE org_id = ? AND action = 'config.update'",
      t.orgId,
    );
    await failInTurn(web);
    const [fleet] = await incidents(t);
    expect(fleet.probableCause).toMatchObject({ kind: "config", ref: change.id });
    expect(fleet.probableCause?.summary).toContain("config.update");
  });

  it("never links hosts of two orgs, and one org cannot read another's incident", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const [a1, a2] = await hostsIn(a, "web", 2);
    const [b1] = await hostsIn(b, "web", 1);
    await failInTurn([a1, b1]);
    expect(await incidents(a)).toEqual([]);
    expect(await incidents(b)).toEqual([]);
    await failInTurn([a2]);
    const [fleet] = await incidents(a);
    expect((await incident(a, fleet.id)).members.map((m) => m.hostId).sort()).toEqual(
      [a1.hostId, a2.hostId].sort(),
    );
    expect(await incidents(b)).toEqual([]);
    const res = await call(`/api/v1/incidents/${fleet.id}`, { token: b.admin });
    expect(res.status).toBe(404);
    const [bIssue] = await b.issues();
    expect(bIssue.fleetIncident).toBeNull();
  });
});
