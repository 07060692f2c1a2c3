/**
 * The report pipeline, run by the host's Durable Object (worker/objects/host) on the context it
 * keeps: the pure engine, then one D1 write batch only when something changed (plus a guardrails
 * read batch when issues are open or opening).
 * 1. (the object) the host, its config, rules, unresolved issues + attempts, in-flight commands;
 * 2. apply command results, timeouts and expiry;
 * 3. evaluate the rules over the samples (oldest first) and services;
 * 4. open / resolve issues and plan recovery;
 * 5. hand samples, services and the host's columns to the keeper (the object's storage, D1 on
 *    change), and mark the commands handed out as delivered.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import { type EngineSample, evaluate, healthScore } from "../../../../agent/engine";
import type { ReportResponse, reportRequestSchema, ServiceState } from "../../../../agent/protocol";
import { type Db, runBatch, type Statement } from "../../../db/client";
import { commands } from "../../../db/schema";
import { iso } from "../../../lib/time";
import { agentSettings } from "../../config/healing-config";
import { correlateFleet } from "../../issues/fleet-correlation";
import { writesOutbox } from "../../notify/outbox";
import { crashLoopSettings } from "../../recovery/crash-loop";
import { loadGuardrails } from "../../recovery/guardrails";
import { toWireCommand } from "../../recovery/queue";
import { rulesFor } from "../../rules/effective";
import { claimable } from "../agent-commands";
import { gapStatements } from "../sample-gaps";
import { boundReport } from "./bounds";
import { nextCheckOutputs } from "./checks";
import type { HostColumns } from "./host-row";
import { reconcileIssues } from "./issues";
import type { ReportContext } from "./load";
import { localResults } from "./local";
import { needsGuardrails } from "./plan";
import { applyResults } from "./results";

export type ReportBody = z.infer<typeof reportRequestSchema>;

export interface ReportHandled {
  response: ReportResponse;
  followUps: { notify: boolean; edgeActions: boolean };
  /** The host's columns after this report (engine state, metrics, check outputs, facts). */
  host: HostColumns & { lastSeenAt: number };
  /** Whether D1 was written (issues, commands, history): the object's copy of them is stale. */
  changed: boolean;
}

/** Where a report's steady data goes: the host object's storage, D1 only when due or changed. */
export interface ReportKeeper {
  /** The samples of this report, oldest first (history). */
  samples(samples: EngineSample[]): void;
  /** D1 statements for the reported services, empty when they are as last written. */
  services(services: ServiceState[]): Statement[];
  /** The D1 host summary statement, when due (`urgent`: a D1 batch is going out anyway). */
  host(next: HostColumns & { lastSeenAt: number }, urgent: boolean): Statement | null;
}

const DELIVER_IDS_PER_STATEMENT = 90;

/** The host's facts with what this report brings (agent version, capabilities); the same object when nothing. */
function withReported(facts: HostColumns["facts"], body: ReportBody): HostColumns["facts"] {
  const { agentVersion, capabilities } = body;
  const versionNew = agentVersion !== undefined && agentVersion !== facts.agentVersion;
  const capsNew =
    capabilities !== undefined && JSON.stringify(capabilities) !== JSON.stringify(facts.capabilities);
  if (!versionNew && !capsNew) return facts;
  return { ...facts, ...(versionNew ? { agentVersion } : {}), ...(capsNew ? { capabilities } : {}) };
}

function engineSamples(body: ReportBody): EngineSample[] {
  const byTs = new Map<number, EngineSample>();
  for (const s of body.samples) byTs.set(Date.parse(s.ts), { ts: Date.parse(s.ts), metrics: s.metrics });
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

export async function handleReport(
  db: Db,
  ctx: ReportContext,
  body: ReportBody,
  now: number,
  keep: ReportKeeper,
): Promise<ReportHandled> {
  const { orgId } = ctx;
  const hostId = ctx.host.id;
  const bounded = boundReport(ctx, body, now); // before anything reads the samples or results
  const results = applyResults(db, hostId, ctx.inflight, ctx.attempts, body.results, now);
  const local = localResults(db, ctx, body.results, now);

  // before the issues, which read a check's text as evidence
  ctx.host.checkOutputs = nextCheckOutputs(ctx.host.checkOutputs, body.checks, now);
  ctx.logTails = new Map(
    body.services?.flatMap((s): [string, string[]][] => (s.logTail?.length ? [[s.name, s.logTail]] : [])),
  );
  const rules = ctx.rules ?? rulesFor(ctx.config, ctx.customRules);
  const samples = engineSamples(body);
  const services = body.services ?? ctx.services.map((s) => ({ ...s, detail: s.detail ?? undefined }));
  const evaluation = evaluate(rules, ctx.host.engineState ?? undefined, {
    samples,
    services: body.services?.map(({ name, status, detail, stopped }) => ({ name, status, detail, stopped })),
    now,
  });
  // Guardrails read across hosts: only a report that opens an issue or may start a recovery
  // step reads them, so a host with an issue waiting on an action, or on a human, stays off D1.
  if (needsGuardrails(ctx, evaluation, now)) {
    const crashLoopMs = crashLoopSettings(ctx.config).windowSeconds * 1000;
    ctx.guard = await loadGuardrails(db, orgId, ctx.host, now, crashLoopMs);
  }
  ctx.targetFacts = {
    metrics: samples.at(-1)?.metrics ?? ctx.host.metrics ?? {},
    caches: body.caches,
    series: evaluation.state.series,
  };
  const issues = reconcileIssues(db, ctx, evaluation, rules, now);

  const newest = samples.at(-1);
  const fresher = newest && newest.ts >= (ctx.host.metricsAt ?? 0);
  const metrics = fresher ? newest.metrics : ctx.host.metrics;
  const facts = withReported(ctx.host.facts, body);
  const host = {
    lastSeenAt: now,
    facts,
    engineState: evaluation.state,
    metrics,
    metricsAt: fresher ? newest.ts : ctx.host.metricsAt,
    healthScore: healthScore(metrics ?? undefined, services),
    checkOutputs: ctx.host.checkOutputs,
  };

  keep.samples(samples);
  const deliver = results.deliverable.map((c) => c.id);
  const statements: Statement[] = [...results.statements, ...local, ...issues.statements];
  // issues, commands or history rows written: what the object keeps of them must be read again
  const changed = statements.length > 0 || deliver.length > 0;
  statements.push(
    ...gapStatements(orgId, hostId, body.gaps, now),
    ...(body.services ? keep.services(body.services) : []),
  );
  // new capabilities reach D1 now: the dashboard and the queueing routes read them from there
  const summary = keep.host(host, changed || facts !== ctx.host.facts);
  if (summary) statements.push(summary);
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
  // Only a report that opened an issue on a grouped host reads D1 for fleet correlation.
  if (issues.opened.length > 0 && ctx.host.group)
    await correlateFleet(db, orgId, ctx.host, issues.opened, now);
  const claimed = new Set(
    written
      .slice(firstDeliver, firstDeliver + Math.ceil(deliver.length / DELIVER_IDS_PER_STATEMENT))
      .flatMap((r) => (r.results as { id: string }[]).map((x) => x.id)),
  );

  const response: ReportResponse = {
    commands: [...results.deliverable.filter((c) => claimed.has(c.id)), ...issues.queued].map(toWireCommand),
    settings: agentSettings(ctx.config, rules),
    serverTime: iso(now),
    ...bounded.response,
  };
  // The follow-up passes cost D1 queries: run them only when this report gave them work (the
  // Cron Trigger retries whatever is still due either way).
  return {
    response,
    followUps: { notify: statements.some(writesOutbox), edgeActions: issues.edge },
    host,
    changed,
  };
}
