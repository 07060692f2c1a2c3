import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { NoiseMark as Noise } from "../../worker/schemas/noise";
import type { RuleViewSchema } from "../../worker/schemas/rules";
import type { EffectiveConfig } from "../../worker/schemas/scope";
import { type Agent, call, expectError, json, newTenant, sample, type Tenant } from "./support/harness";
import { auditOf } from "./support/sec-harness";

type Evidence = { explanation?: string };

const STEP = 10_000;

/** Samples of memory at `value`, `step` apart, from `from` (the rest of the metrics steady). */
function memory(count: number, value: number, from: number, step: number) {
  return Array.from({ length: count }, (_, i) => sample({ memory: value }, from + i * step));
}

/**
 * A host's timeline in the past, sent in order: a day of normal (memory at 30 %, a sample a
 * minute: the slow diagnostics judge nothing before normal covers a day), then phases of
 * `count` samples STEP apart, each starting where the last ended.
 */
async function timeline(agent: Agent) {
  let at = Date.now() - 26 * 3_600_000;
  await agent.backfill(memory(24 * 60 + 1, 30, at, 60_000));
  at += (24 * 60 + 1) * 60_000;
  return async (count: number, value: number) => {
    await agent.backfill(memory(count, value, at, STEP));
    at += count * STEP;
  };
}

const baselineIssues = async (t: Tenant) => (await t.issues()).filter((i) => i.rule === "memory_baseline");

async function operator(t: Tenant) {
  return (
    await json<{ token: string }>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "operator", name: "on call" } },
      201,
    )
  ).token;
}

const mark = (id: string, token: string, body: unknown = { reason: "backup window, expected" }) =>
  call(`/api/v1/issues/${id}/noise`, { token, method: "POST", body });

/** A tenant whose host's memory left its normal (30 %) for 11.5 min: one memory_baseline issue, resolved. */
async function withBaselineIssue() {
  const t = await newTenant();
  const agent = await t.enroll("db-1");
  const phase = await timeline(agent);
  await phase(70, 75); // out of normal, past the 10 min hold
  const [issue] = await baselineIssues(t);
  await phase(5, 30);
  return { t, agent, phase, issue };
}

describe("marking a finding as noise", { timeout: 90_000 }, () => {
  it("raises the rule's bar on that host, says so in the next finding, and undo brings it back", async () => {
    const { t, phase, issue } = await withBaselineIssue();
    expect(issue.severity).toBe("low");
    const first = await t.issue(issue.id);
    expect(first.status).toBe("resolved");
    expect((first.evidence as Evidence).explanation).toMatch(
      /This host's normal memory is .*–30\.5 \(p1–p99 of 1441 samples\)/,
    );
    expect((first.evidence as Evidence).explanation).not.toMatch(/Bar raised/);

    const token = await operator(t);
    const res = await mark(issue.id, token);
    expect(res.status).toBe(201);
    const marked = (await res.json()) as Noise;
    expect(marked).toMatchObject({
      issueId: issue.id,
      rule: "memory_baseline",
      noise: true,
      hostRuleMarks: 1,
    });
    const audit = (await auditOf(t.admin)).items.filter((e) => e.action === "issue.noise");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetId: issue.id, actor: { name: "on call" } });

    // the host's rules in force show the raised bar
    const inForce = (await t.get<EffectiveConfig>(`/api/v1/hosts/${issue.hostId}/effective-config`)).rules;
    expect(inForce.find((r) => r.id === "memory_baseline")).toMatchObject({
      durationSeconds: 1200,
      noise: { marks: 1 },
    });

    // the same 11.5 min excursion no longer opens anything: the hold is now 20 min
    await phase(70, 75);
    expect(await baselineIssues(t)).toHaveLength(1);
    await phase(60, 75); // 21.5 min
    const raised = (await baselineIssues(t)).find((i) => i.id !== issue.id);
    expect(raised?.status).toBe("open");
    expect(((await t.issue(raised?.id ?? "")).evidence as Evidence).explanation).toMatch(
      /Bar raised after 1 noise mark on this host: hold 20 min \(was 10 min\), band 1\.38 × \(was 1\.1 ×\)/,
    );
    await phase(5, 30);

    const undone = await json<Noise>(`/api/v1/issues/${issue.id}/noise`, { token, method: "DELETE" });
    expect(undone).toMatchObject({ noise: false, hostRuleMarks: 0 });
    expect((await auditOf(t.admin)).items.some((e) => e.action === "issue.noise_undo")).toBe(true);
    await phase(70, 75); // 11.5 min opens again
    const after = await baselineIssues(t);
    expect(after).toHaveLength(3);
    const newest = after.find((i) => i.id !== issue.id && i.id !== raised?.id);
    expect(((await t.issue(newest?.id ?? "")).evidence as Evidence).explanation).not.toMatch(/Bar raised/);
  });

  it("answers 404 across orgs, 403 to a read token, 400 for a bad body, 409 when marked twice", async () => {
    const { t, issue } = await withBaselineIssue();
    const other = await newTenant();
    await expectError(await mark(issue.id, other.admin), 404, "NOT_FOUND");
    await expectError(
      await call(`/api/v1/issues/${issue.id}/noise`, { token: other.admin }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/api/v1/issues/${issue.id}/noise`, { token: other.admin, method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    const reader = await t.token("read");
    await expectError(await mark(issue.id, reader), 403, "FORBIDDEN");
    await expectError(
      await call(`/api/v1/issues/${issue.id}/noise`, { token: reader, method: "DELETE" }),
      403,
      "FORBIDDEN",
    );
    const token = await operator(t);
    await expectError(await mark(issue.id, token, {}), 400, "BAD_REQUEST");
    await expectError(await mark(issue.id, token, { reason: "" }), 400, "BAD_REQUEST");
    await expectError(await mark(issue.id, token, { reason: "x".repeat(501) }), 400, "BAD_REQUEST");
    await expectError(await mark(issue.id, token, { reason: "ok", marks: 5 }), 400, "BAD_REQUEST");
    // nothing half-written by the refusals
    expect((await json<Noise>(`/api/v1/issues/${issue.id}/noise`, { token: reader })).noise).toBe(false);
    await expectError(
      await call(`/api/v1/issues/${issue.id}/noise`, { token, method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    expect((await mark(issue.id, token)).status).toBe(201);
    await expectError(await mark(issue.id, token), 409, "CONFLICT");
    expect((await json<Noise>(`/api/v1/issues/${issue.id}/noise`, { token: reader })).hostRuleMarks).toBe(1);
  });
});

describe("enable_ai_diagnostics", { timeout: 90_000 }, () => {
  it("lists the built-in diagnostics with the other built-ins, overridable, and none when switched off", async () => {
    const t = await newTenant();
    type View = z.infer<typeof RuleViewSchema>;
    const ids = async () => (await t.get<{ items: View[] }>("/api/v1/rules")).items;
    const on = await ids();
    const diag = on.filter((r) => /_anomaly$|_baseline$/.test(r.id));
    expect(diag.map((r) => r.id).sort()).toEqual([
      "cpu_anomaly",
      "disk_baseline",
      "load_anomaly",
      "memory_baseline",
      "net_rx_baseline",
      "net_tx_baseline",
    ]);
    expect(diag.every((r) => r.builtin && !r.overridden)).toBe(true);
    const patched = await json<View>("/api/v1/rules/cpu_anomaly", {
      token: t.admin,
      method: "PATCH",
      body: { durationSeconds: 600 },
    });
    expect(patched).toMatchObject({ overridden: true, durationSeconds: 600, kind: "anomaly" });

    await t.config({ monitoring: { enable_ai_diagnostics: false } });
    expect((await ids()).filter((r) => /_anomaly$|_baseline$/.test(r.id))).toEqual([]);
    // and none runs: the excursion that opened memory_baseline above opens nothing now
    const agent = await t.enroll("quiet-1");
    const phase = await timeline(agent);
    await phase(70, 75);
    expect(await baselineIssues(t)).toEqual([]);
  });
});
