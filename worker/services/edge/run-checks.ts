/**
 * Edge checks: public endpoints probed from the Cron Trigger (status and latency). A failing
 * check opens an issue on the org's synthetic "(edge)" host (issues need a host, and no agent can
 * enrol that name), and the next passing run resolves it; both with their outbox events.
 */
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { edgeChecks, hosts, issues } from "../../db/schema";
import { newId } from "../../lib/ids";
import { notifyStatement } from "../notify/outbox";
import { EDGE_PLATFORM } from "./deploy-gates";

export const EDGE_HOST = "(edge)";
export const EDGE_RULE = "edge_check";
const CHECKS_PER_RUN = 50;
type CheckRow = typeof edgeChecks.$inferSelect;

export interface Probe {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

export async function probe(check: Pick<CheckRow, "url" | "expectStatus" | "timeoutMs">): Promise<Probe> {
  const started = Date.now();
  const redirect = check.expectStatus >= 300 && check.expectStatus < 400 ? "manual" : "follow";
  try {
    const res = await fetch(check.url, {
      headers: { "user-agent": "selfheal-edge-check/1" },
      redirect,
      signal: AbortSignal.timeout(check.timeoutMs),
    });
    await res.body?.cancel();
    const latencyMs = Date.now() - started;
    const ok = res.status === check.expectStatus;
    return {
      ok,
      status: res.status,
      latencyMs,
      error: ok ? null : `expected HTTP ${check.expectStatus}, got ${res.status}`,
    };
  } catch (err) {
    const latencyMs = Date.now() - started;
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const error = timedOut ? `no answer within ${check.timeoutMs} ms` : String(err).slice(0, 300);
    return { ok: false, status: null, latencyMs, error };
  }
}

/** Each org's synthetic "(edge)" host, created if missing: it carries org-wide issues. */
export async function edgeHosts(db: Db, orgIds: string[], now: number): Promise<Map<string, string>> {
  await runBatch(
    db,
    orgIds.map((orgId) =>
      db
        .insert(hosts)
        .values({
          id: newId("hst"),
          orgId,
          name: EDGE_HOST,
          facts: { platform: EDGE_PLATFORM },
          createdAt: now,
        })
        .onConflictDoNothing(),
    ),
  );
  const rows = await db
    .select({ id: hosts.id, orgId: hosts.orgId })
    .from(hosts)
    .where(and(inArray(hosts.orgId, orgIds), eq(hosts.name, EDGE_HOST)));
  return new Map(rows.map((r) => [r.orgId, r.id]));
}

/** One sweep over every org's checks (a system job, like the command sweep). */
export async function runEdgeChecks(db: Db, now: number): Promise<number> {
  const checks = await db
    .select()
    .from(edgeChecks)
    .orderBy(asc(edgeChecks.lastCheckedAt))
    .limit(CHECKS_PER_RUN);
  if (checks.length === 0) return 0;
  const probes = await Promise.all(checks.map(probe));
  const hostOf = await edgeHosts(db, [...new Set(checks.map((c) => c.orgId))], now);
  const open = await db
    .select({ id: issues.id, orgId: issues.orgId, target: issues.target, detectedAt: issues.detectedAt })
    .from(issues)
    .where(
      and(
        inArray(issues.hostId, [...hostOf.values()]),
        eq(issues.ruleId, EDGE_RULE),
        ne(issues.status, "resolved"),
      ),
    );
  const statements: Statement[] = [];
  checks.forEach((check, i) => {
    const p = probes[i];
    const hostId = hostOf.get(check.orgId);
    statements.push(
      db
        .update(edgeChecks)
        .set({
          lastCheckedAt: now,
          lastOk: p.ok,
          lastStatus: p.status,
          lastLatencyMs: p.latencyMs,
          lastError: p.error,
        })
        .where(eq(edgeChecks.id, check.id)),
    );
    if (!hostId) return;
    const existing = open.find((o) => o.orgId === check.orgId && o.target === check.url);
    if (!p.ok && !existing) {
      const id = newId("iss");
      statements.push(
        db
          .insert(issues)
          .values({
            id,
            orgId: check.orgId,
            hostId,
            ruleId: EDGE_RULE,
            ruleName: "Edge check",
            target: check.url,
            severity: check.severity,
            status: "open",
            summary: `${check.url}: ${p.error}`,
            evidence: {
              url: check.url,
              status: p.status,
              expectStatus: check.expectStatus,
              latencyMs: p.latencyMs,
              error: p.error,
            },
            actions: [],
            detectedAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing(),
        notifyStatement(db, { orgId: check.orgId, issueId: id, event: "opened", now }),
      );
    } else if (p.ok && existing) {
      const mttrSeconds = Math.round((now - existing.detectedAt) / 100) / 10;
      statements.push(
        db
          .update(issues)
          .set({ status: "resolved", resolvedAt: now, mttrSeconds, updatedAt: now })
          .where(and(eq(issues.id, existing.id), ne(issues.status, "resolved"))),
        notifyStatement(db, { orgId: check.orgId, issueId: existing.id, event: "resolved", now }),
      );
    }
  });
  statements.push(
    db
      .update(hosts)
      .set({ lastSeenAt: now })
      .where(inArray(hosts.id, [...hostOf.values()])),
  );
  await runBatch(db, statements);
  return checks.length;
}
