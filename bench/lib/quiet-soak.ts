/**
 * bench:quiet (a): a real agent with the defaults (AI diagnostics on) reporting every 2 s to a
 * real local Worker, on this machine as it is (other work on it included), for N minutes. Counts
 * the issues the built-in diagnostic rules open; the budget is none.
 */
import { DIAGNOSTIC_RULE_IDS } from "../../agent/engine";
import { startLab } from "../../scripts/lib/lab.mjs";

type Issue = {
  rule: string;
  status: string;
  summary: string;
  detectedAt: string;
  evidence: { explanation?: string };
};
type Basis = { samples: number } | null;

export interface SoakResult {
  minutes: number;
  diagnostic: Issue[];
  other: Issue[];
  /** samples the host's cpu/memory/disk baselines had learned at the end */
  learned: Record<string, number>;
}

export async function soak(minutes: number, interval: number, log: (s: string) => void): Promise<SoakResult> {
  const lab = await startLab({ services: 0, interval, hostName: "quiet-host" });
  try {
    const until = Date.now() + minutes * 60_000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, Math.min(60_000, Math.max(0, until - Date.now()))));
      const left = Math.max(0, Math.round((until - Date.now()) / 60_000));
      const { items } = await lab.call("GET", "/api/healing/issues?limit=500");
      const diag = (items as Issue[]).filter((i) => DIAGNOSTIC_RULE_IDS.includes(i.rule));
      log(`  ${minutes - left} min: ${diag.length} diagnostic issue(s), ${items.length - diag.length} other`);
    }
    const { items } = await lab.call("GET", "/api/healing/issues?limit=500");
    const view = await lab.call("GET", "/api/v1/hosts/quiet-host/thresholds");
    const learned = Object.fromEntries(
      Object.entries(view.basis as Record<string, Basis>).map(([m, b]) => [m, b?.samples ?? 0]),
    );
    const all = items as Issue[];
    return {
      minutes,
      diagnostic: all.filter((i) => DIAGNOSTIC_RULE_IDS.includes(i.rule)),
      other: all.filter((i) => !DIAGNOSTIC_RULE_IDS.includes(i.rule)),
      learned,
    };
  } finally {
    await lab.stop();
  }
}
