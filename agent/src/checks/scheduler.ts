/**
 * The configured checks, each on its own interval (a run never overlaps the previous one of the
 * same check), and a collector that puts their latest readings into every sample:
 * `check:<name>.status` (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and `check:<name>.<label>` per
 * perfdata value; a check naming a service is `check:<service>.<name>.*`, so its issue groups
 * with (and acts on) that service. The status text is logged when it changes and kept in memory.
 */
import { type CheckOutput, checkOutputSchema, LIMITS } from "../../protocol";
import type { Collector, Metrics } from "../collectors/types";
import type { CheckDef } from "../config/checks";
import type { Logger } from "../log";
import type { PluginReading } from "./nagios";
import { runPlugin } from "./run-plugin";

const MAX_METRIC = 64;
const MAX_PERF = 8;

export function checkPrefix(c: Pick<CheckDef, "name" | "service">): string {
  return c.service ? `check:${c.service}.${c.name}` : `check:${c.name}`;
}

/** A perfdata label as the last part of a metric name ("status" is taken by the check's own status). */
function leaf(label: string): string {
  const clean = label.replace(/[^A-Za-z0-9_/-]/g, "_") || "_";
  return clean === "status" ? "status_perf" : clean;
}

export function readingMetrics(c: Pick<CheckDef, "name" | "service">, r: PluginReading): Metrics {
  const prefix = checkPrefix(c);
  const metrics: Metrics = { [`${prefix}.status`]: r.code };
  // a sample has room for 512 metrics in all: a chatty plugin gets its first few
  for (const p of r.perf.slice(0, MAX_PERF)) {
    const name = `${prefix}.${leaf(p.label)}`;
    if (name.length <= MAX_METRIC && !(name in metrics)) metrics[name] = p.value;
  }
  return metrics;
}

export class CheckScheduler {
  private readonly latest = new Map<string, PluginReading>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = false;

  constructor(
    private readonly checks: CheckDef[],
    private readonly log?: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const c of this.checks) void this.run(c);
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** The last reading of each check that has run, by name. */
  readings(): ReadonlyMap<string, PluginReading> {
    return this.latest;
  }

  metrics(): Metrics {
    const out: Metrics = {};
    for (const c of this.checks) {
      const r = this.latest.get(c.name);
      if (r) Object.assign(out, readingMetrics(c, r));
    }
    return out;
  }

  /** The latest status text of each check that has run, as reports carry it (evidence for its issue). */
  outputs(): CheckOutput[] {
    const out: CheckOutput[] = [];
    for (const c of this.checks) {
      const r = this.latest.get(c.name);
      if (!r) continue;
      const item = {
        name: checkPrefix(c).slice("check:".length),
        status: r.status,
        output: r.text.slice(0, LIMITS.checkOutputChars),
      };
      // a name the protocol refuses (e.g. with "/") would lose the whole report: keep its metrics only
      if (checkOutputSchema.safeParse(item).success) out.push(item);
    }
    return out;
  }

  private async run(c: CheckDef): Promise<void> {
    const startedAt = Date.now();
    const r = await runPlugin(c.command, c.timeoutMs);
    const before = this.latest.get(c.name);
    this.latest.set(c.name, r);
    if (before?.status !== r.status)
      this.log?.[r.status === "ok" ? "info" : "notice"](`check ${c.name}: ${r.status.toUpperCase()}`, {
        output: r.text,
      });
    if (!this.running) return;
    const timer = setTimeout(() => void this.run(c), Math.max(0, startedAt + c.interval * 1000 - Date.now()));
    // the agent's life is governed by its runner, not by a pending check
    timer.unref();
    this.timers.set(c.name, timer);
  }
}

/** The collector the runner registers: starts the checks on prime, reports their latest readings. */
export function checksCollector(
  checks: CheckDef[],
  log?: Logger,
): Collector & { stop(): void; outputs(): CheckOutput[] } {
  const scheduler = new CheckScheduler(checks, log);
  return {
    name: "checks",
    stop: () => scheduler.stop(),
    outputs: () => scheduler.outputs(),
    prime: () => scheduler.start(),
    collect: () => {
      scheduler.start();
      return scheduler.metrics();
    },
  };
}
