// The soak's reckoning: what the agents say they produced and ran, against what the edge stored
// and recorded, and what the services saw. Samples of the last two intervals are left out on both
// sides (they may still be on their way when the count is taken).
import { readFileSync } from "node:fs";
import path from "node:path";
import { journalStarts, producedSamples, type SoakAgent } from "./soak-fleet";
import type { ProxyStats } from "./soak-proxy";

export interface Run {
  started: number;
  edgeRestarts: number;
  agentKills: number;
  killsWhileEdgeDown: number;
  issued: { id: string; host: string; at: number }[];
  errors: string[];
}

type Call = (method: string, path: string, body?: unknown) => Promise<any>;

async function storedSamples(call: Call, host: string, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  let since = from;
  for (;;) {
    const q = `from=${new Date(since).toISOString()}&to=${new Date(to).toISOString()}&limit=5000&resolution=raw`;
    const { items } = await call("GET", `/api/v1/hosts/${host}/samples?${q}`);
    out.push(...items.map((i: { ts: string }) => i.ts));
    if (items.length < 5000) return out;
    since = Date.parse(items[items.length - 1].ts) + 1;
  }
}

const tokenOf = (a: SoakAgent) => {
  try {
    return `Bearer ${JSON.parse(readFileSync(path.join(a.stateDir, "agent-token.json"), "utf8")).agentToken}`;
  } catch {
    return "";
  }
};

export async function tally(run: Run, agents: SoakAgent[], proxy: ProxyStats, call: Call, interval: number) {
  const cutoff = Date.now() - 2 * interval * 1000;
  let produced = 0;
  let transmitted = 0;
  let stored = 0;
  let missing = 0;
  let unexpected = 0;
  const perAgent: string[] = [];
  for (const a of agents) {
    const mine = producedSamples(a).filter((ts) => Date.parse(ts) <= cutoff);
    const sent = [...(proxy.transmitted.get(tokenOf(a)) ?? [])].filter((ts) => Date.parse(ts) <= cutoff);
    const kept = new Set(await storedSamples(call, a.name, run.started - 60_000, cutoff));
    const lost = mine.filter((ts) => !kept.has(ts));
    const extra = [...kept].filter((ts) => !mine.includes(ts));
    produced += mine.length;
    transmitted += sent.length;
    stored += kept.size;
    missing += lost.length;
    unexpected += extra.length;
    perAgent.push(
      `    ${a.name}: produced ${mine.length}, in reports ${sent.length}, stored ${kept.size}, missing ${lost.length}` +
        ` (never in a report ${lost.filter((ts) => !sent.includes(ts)).length}), agent starts ${a.starts}`,
    );
  }

  const { items: commands } = await call("GET", "/api/v1/commands?limit=500");
  const statusOf = new Map<string, string>(
    commands.map((c: { id: string; status: string }) => [c.id, c.status]),
  );
  const starts = new Map<string, number>();
  for (const a of agents) for (const [id, k] of journalStarts(a)) starts.set(id, (starts.get(id) ?? 0) + k);
  const issued = run.issued.map((c) => c.id);
  const executed = issued.filter((id) => (starts.get(id) ?? 0) > 0).length;
  const duplicates = issued.filter((id) => (starts.get(id) ?? 0) > 1).length;
  const local = [...starts.keys()].filter((id) => id.startsWith("local-")).length;
  const statuses: Record<string, number> = {};
  for (const id of issued)
    statuses[statusOf.get(id) ?? "unknown"] = (statuses[statusOf.get(id) ?? "unknown"] ?? 0) + 1;
  // The services' own count of starts after the first: restarts run, plus any start by an agent
  // that came back from a kill and found its service down (the soak kills services to open issues).
  const serviceRestarts = agents.reduce((s, a) => s + Math.max(0, a.serviceStarts() - 1), 0);

  const ok = missing === 0 && unexpected === 0 && executed === issued.length && duplicates === 0;
  const minutes = ((Date.now() - run.started) / 60_000).toFixed(1);
  console.log(`\nsoak results (${minutes} min wall clock, samples up to ${new Date(cutoff).toISOString()})`);
  console.log(
    `  faults:   ${run.edgeRestarts} edge restarts, ${run.agentKills} agent SIGKILLs (${run.killsWhileEdgeDown} while the edge was down), ${proxy.dropped} responses dropped` +
      ` of ${proxy.requests} requests, ${proxy.refused} requests refused while the edge was down`,
  );
  console.log(
    `  samples:  produced ${produced} (agents' traces)  in reports sent ${transmitted} (seen by the proxy, delivered or not)  stored ${stored}` +
      `  missing ${missing}  unexpected ${unexpected}  ${missing === 0 && unexpected === 0 ? "MATCH" : "MISMATCH"}`,
  );
  for (const line of perAgent) console.log(line);
  console.log(
    `  commands: issued ${issued.length}  executed ${executed} (agents' journals)  duplicates ${duplicates}` +
      `  edge status ${JSON.stringify(statuses)}  local restarts ${local}  service starts after the first ${serviceRestarts}` +
      `  ${executed === issued.length && duplicates === 0 ? "MATCH" : "MISMATCH"}`,
  );
  console.log(`  errors:   ${run.errors.length}${run.errors.length ? "" : " (orchestration)"}`);
  for (const e of run.errors.slice(0, 10)) console.log(`    ${e}`);
  return { ok, produced, stored, missing, issued: issued.length, executed, duplicates };
}
