/**
 * What a report may carry beyond its schema, checked against the edge's clock and the host's
 * budget before anything is evaluated or stored:
 * - sample times within the org's retention and at most LIMITS.clockSkewMs ahead of the edge (a
 *   sample from the future would open issues at once and pin the host's latest metrics for good);
 * - result times ahead of the edge by no more than the skew, and starting (finishedAt − durationMs)
 *   no earlier than their command, or the host for a local result, existed;
 * - at most MAX_METRIC_NAMES distinct metric names per host: new names past it are dropped from
 *   the samples and named in the response, so the agent can log them.
 * A refusal is one 400 naming every offending field, as a schema failure would.
 */
import { admitMetricNames, emptyState, forgetFuture } from "../../../../agent/engine";
import { type CommandResult, LIMITS, type Sample } from "../../../../agent/protocol";
import { ApiError, type FieldIssue } from "../../../lib/errors";
import { retentionOf } from "../../retention/run";
import type { ReportContext } from "./load";
import { LOCAL_PREFIX } from "./local";

const DAY = 86_400_000;
/**
 * How far behind the edge an agent's clock may run before its results read as starting before
 * their command existed. Wider than the skew ahead: a host with a slow clock is common, and
 * refusing its results would lose them; a result from 1970 is still refused.
 */
const CLOCK_BEHIND_MS = 3_600_000;

export interface Bounded {
  /** Fields to add to the report's response. */
  response: { refusedMetrics?: string[] };
}

function sampleIssues(samples: Sample[], oldest: number, latest: number, days: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  samples.forEach((s, i) => {
    const ts = Date.parse(s.ts);
    if (ts > latest)
      issues.push({ path: `samples.${i}.ts`, message: "more than 5 minutes ahead of the edge's clock" });
    else if (ts < oldest)
      issues.push({ path: `samples.${i}.ts`, message: `older than the org's retention (${days} days)` });
  });
  return issues;
}

function resultIssues(ctx: ReportContext, results: CommandResult[], latest: number): FieldIssue[] {
  const created = new Map(ctx.inflight.map((c) => [c.id, c.createdAt]));
  const issues: FieldIssue[] = [];
  results.forEach((r, i) => {
    const finished = Date.parse(r.finishedAt);
    if (finished > latest) {
      issues.push({
        path: `results.${i}.finishedAt`,
        message: "more than 5 minutes ahead of the edge's clock",
      });
      return;
    }
    const existed = r.commandId.startsWith(LOCAL_PREFIX) ? ctx.host.createdAt : created.get(r.commandId);
    // Results of commands already settled (a re-sent report) are ignored downstream.
    if (existed !== undefined && finished - r.durationMs < existed - CLOCK_BEHIND_MS)
      issues.push({
        path: `results.${i}.durationMs`,
        message: "the result would start before its command (or, for a local result, the host) existed",
      });
  });
  return issues;
}

/** Throws the 400 for times out of bounds; admits metric names (mutating the samples and the host's state). */
export function boundReport(
  ctx: ReportContext,
  body: { samples: Sample[]; results: CommandResult[] },
  now: number,
): Bounded {
  const latest = now + LIMITS.clockSkewMs;
  const days = retentionOf(ctx.config).hour_days;
  const issues = [
    ...sampleIssues(body.samples, now - days * DAY, latest, days),
    ...resultIssues(ctx, body.results, latest),
  ];
  if (issues.length > 0) {
    const names = [...new Set(issues.map((i) => i.path))].slice(0, 5).join(", ");
    // Every one is named (the lists' limits bound them): the agent drops exactly these and resends.
    throw new ApiError("BAD_REQUEST", `invalid body: ${names}`, issues);
  }
  // A host that took samples from the future before these checks existed thaws here.
  if ((ctx.host.metricsAt ?? 0) > latest) ctx.host.metricsAt = null;
  const state = forgetFuture(ctx.host.engineState ?? emptyState(), latest);
  const admitted = admitMetricNames(
    state.names,
    body.samples.map((s) => s.metrics),
    now,
  );
  ctx.host.engineState = { ...state, names: admitted.names };
  return { response: admitted.refused.length ? { refusedMetrics: admitted.refused.slice(0, 100) } : {} };
}
