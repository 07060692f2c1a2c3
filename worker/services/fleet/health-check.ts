/**
 * POST /api/healing/health-check: grades each host's latest sample per component against the
 * org's thresholds and asks every agent checked for a fresh sample (a `health_check` command).
 */
import type { AlertThresholds } from "../../../agent/protocol";
import { type Db, runBatch } from "../../db/client";
import { notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { components as allComponents, type Component } from "../../schemas/healing";
import type { HostSummary } from "../../schemas/hosts";
import { listIssues } from "../issues/read";
import { type CommandRow, queueCommand } from "../recovery/queue";
import { fleet } from "./hosts";
import { overall } from "./status";

type Grade = { value: number | null; status: "healthy" | "degraded" | "critical" | "unknown" };

function grade(value: number | undefined, warning: number, critical: number): Grade {
  if (value === undefined) return { value: null, status: "unknown" };
  return { value, status: value > critical ? "critical" : value > warning ? "degraded" : "healthy" };
}

function gradeHost(host: HostSummary, t: AlertThresholds, wanted: readonly Component[]) {
  const m = host.metrics ?? {};
  const down = host.services.filter((s) => s.status === "down" && !s.stopped).length;
  const net =
    m["net.rx"] === undefined && m["net.tx"] === undefined
      ? undefined
      : (m["net.rx"] ?? 0) + (m["net.tx"] ?? 0);
  const all: Record<Component, Grade> = {
    cpu: grade(m.cpu, t.cpu_warning, t.cpu_critical),
    memory: grade(m.memory, t.memory_warning, t.memory_critical),
    disk: grade(m.disk, t.disk_warning, t.disk_critical),
    // Network throughput has no threshold in the seed's configuration: reported, not graded.
    network: net === undefined ? { value: null, status: "unknown" } : { value: net, status: "healthy" },
    services: { value: down, status: down > 0 ? "degraded" : "healthy" },
  };
  return Object.fromEntries(wanted.map((c) => [c, all[c]]));
}

/**
 * How the caller reaches the checked hosts' objects: warm (start them), wake (their commands are
 * queued: handed over, so a waiting agent gets them at once).
 */
export interface HostWaker {
  warm(hostIds: string[]): Promise<unknown>;
  wake(hostIds: string[], queued: CommandRow[]): Promise<void>;
}

export async function healthCheck(
  db: Db,
  orgId: string,
  input: { components?: Component[]; host?: string },
  objects: HostWaker,
) {
  const { config, hosts, openSeverities } = await fleet(db, orgId, input.host);
  if (input.host && hosts.length === 0) throw notFound("host");
  const ids = new Set(hosts.map((h) => h.id));
  // A waiting agent's object may be hibernating: it starts while the commands are written, and
  // is told of them before the grading reads on, so the delivery waits on neither.
  const warming = objects.warm([...ids]).catch(() => undefined);
  const now = Date.now();
  const queued = hosts.map((h) =>
    queueCommand(db, {
      orgId,
      hostId: h.id,
      issueId: null,
      action: "health_check",
      target: null,
      trigger: "manual",
      now,
    }),
  );
  await runBatch(
    db,
    queued.flatMap((q) => q.statements),
  );
  const [active] = await Promise.all([
    listIssues(db, orgId, { status: "active", host: input.host, limit: 500 }),
    warming.then(() =>
      objects.wake(
        [...ids],
        queued.map((q) => q.command),
      ),
    ),
  ]);
  const issues = active.filter((i) => ids.has(i.hostId));
  const severities = input.host ? issues.map((i) => i.severity) : openSeverities;
  const { healthScore, overallStatus } = overall(hosts, severities);
  return {
    overallStatus,
    healthScore,
    checkedAt: iso(now),
    hosts: hosts.map((h) => ({
      id: h.id,
      name: h.name,
      healthScore: h.healthScore,
      status: h.status,
      components: gradeHost(h, config.monitoring.alert_thresholds, input.components ?? allComponents),
      sampleRequested: true,
    })),
    issues,
  };
}
