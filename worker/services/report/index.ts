/**
 * The report pipeline: one read batch, the pure engine, one write batch (plus a guardrails read
 * batch when issues are open or opening).
 * 1. read the host, its config, rules, unresolved issues + attempts, in-flight commands, services;
 * 2. apply command results, timeouts and expiry;
 * 3. evaluate the rules over the samples (oldest first) and services;
 * 4. open / resolve issues and plan recovery;
 * 5. write samples, services, the host, and mark the commands handed out as delivered.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import { type EngineSample, evaluate, healthScore } from "../../../agent/engine";
import type { ReportResponse, reportRequestSchema } from "../../../agent/protocol";
import { type Db, runBatch, type Statement } from "../../db/client";
import { commands, hosts } from "../../db/schema";
import { iso } from "../../lib/time";
import { claimable } from "../agent-commands";
import { agentSettings } from "../config";
import { crashLoopSettings } from "../crash-loop";
import { loadGuardrails } from "../guardrails";
import { writesOutbox } from "../notify/outbox";
import { toWireCommand } from "../recovery";
import { rulesFor } from "../rules";
import { gapStatements } from "../sample-gaps";
import { boundReport } from "./bounds";
import { nextCheckOutputs } from "./checks";
import { hostUpdate } from "./host-row";
import { reconcileIssues } from "./issues";
import { loadReportContext } from "./load";
import { localResults } from "./local";
import { applyResults } from "./results";
import { insertSamples, upsertServices } from "./store";

type ReportBody = z.infer<typeof reportRequestSchema>;

export interface ReportHandled {
  response: ReportResponse;
  followUps: { notify: boolean; edgeActions: boolean };
}
const DELIVER_IDS_PER_STATEMENT = 90;

function engineSamples(body: ReportBody): EngineSample[] {
  const byTs = new Map<number, EngineSample>();
  for (const s of body.samples) byTs.set(Date.parse(s.ts), { ts: Date.parse(s.ts), metrics: s.metrics });
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

export async function handleReport(
  db: Db,
  orgId: string,
  hostId: string,
  body: ReportBody,
): Promise<ReportHandled> {
  const ctx = await loadReportContext(db, orgId, hostId);
  const read = { ...ctx.host }; // ctx.host is updated in place below
  const now = Date.now();
  const bounded = boundReport(ctx, body, now); // before anything reads the samples or results
  const results = applyResults(db, hostId, ctx.inflight, ctx.attempts, body.results, now);
  const local = localResults(db, ctx, body.results, now);

  // before the issues, which read a check's text as evidence
  ctx.host.checkOutputs = nextCheckOutputs(ctx.host.checkOutputs, body.checks, now);
  ctx.logTails = new Map(
    body.services?.flatMap((s): [string, string[]][] => (s.logTail?.length ? [[s.name, s.logTail]] : [])),
  );
  const rules = rulesFor(ctx.config, ctx.customRules);
  const samples = engineSamples(body);
  const services = body.services ?? ctx.services.map((s) => ({ ...s, detail: s.detail ?? undefined }));
  const evaluation = evaluate(rules, ctx.host.engineState ?? undefined, {
    samples,
    services: body.services?.map(({ name, status, detail, stopped }) => ({ name, status, detail, stopped })),
    now,
  });
  // Guardrails only bear on issues being opened or still active (newIssue, planRecovery): a
  // healthy host's report skips that read, leaving one read and one write round trip.
  if (evaluation.opened.length > 0 || evaluation.active.length > 0) {
    const crashLoopMs = crashLoopSettings(ctx.config).windowSeconds * 1000;
    ctx.guard = await loadGuardrails(db, orgId, ctx.host, now, crashLoopMs);
  }
  const issues = reconcileIssues(db, ctx, evaluation, rules, now);

  const newest = samples.at(-1);
  const fresher = newest && newest.ts >= (ctx.host.metricsAt ?? 0);
  const metrics = fresher ? newest.metrics : ctx.host.metrics;
  const facts = body.agentVersion ? { ...ctx.host.facts, agentVersion: body.agentVersion } : ctx.host.facts;

  const deliver = results.deliverable.map((c) => c.id);
  const statements: Statement[] = [
    ...results.statements,
    ...local,
    ...issues.statements,
    ...insertSamples(hostId, samples),
    ...gapStatements(orgId, hostId, body.gaps, now),
    ...(body.services ? upsertServices(hostId, body.services, now) : []),
    db
      .update(hosts)
      .set(
        hostUpdate(read, {
          lastSeenAt: now,
          facts,
          engineState: evaluation.state,
          metrics,
          metricsAt: fresher ? newest.ts : ctx.host.metricsAt,
          healthScore: healthScore(metrics ?? undefined, services),
          checkOutputs: ctx.host.checkOutputs,
        }),
      )
      .where(and(eq(hosts.id, hostId), eq(hosts.orgId, orgId))),
  ];
  // Only what these statements actually moved out of "pending" goes out: a long-poll may have claimed some.
  const firstDeliver = statements.length;
  for (let i = 0; i < deliver.length; i += DELIVER_IDS_PER_STATEMENT) {
    const ids = deliver.slice(i, i + DELIVER_IDS_PER_STATEMENT);
    statements.push(
      db
        .update(commands)
        .set({ status: "delivered", deliveredAt: now })
        .where(and(inArray(commands.id, ids), eq(commands.hostId, hostId), claimable(now)))
        .returning({ id: commands.id }),
    );
  }
  const written = await runBatch(db, statements);
  const claimed = new Set(
    written
      .slice(firstDeliver, firstDeliver + Math.ceil(deliver.length / DELIVER_IDS_PER_STATEMENT))
      .flatMap((r) => (r.results as { id: string }[]).map((x) => x.id)),
  );

  const response: ReportResponse = {
    commands: [...results.deliverable.filter((c) => claimed.has(c.id)), ...issues.queued].map(toWireCommand),
    settings: agentSettings(ctx.config),
    serverTime: iso(now),
    ...bounded.response,
  };
  // The follow-up passes cost D1 queries: run them only when this report gave them work (the
  // Cron Trigger retries whatever is still due either way).
  return { response, followUps: { notify: statements.some(writesOutbox), edgeActions: issues.edge } };
}
