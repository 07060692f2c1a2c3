// npm run bench:mttr [-- --kills N --interval S]
// Kills a real process supervised by the real agent (reporting to the real Worker) N times with
// SIGKILL and measures, per kill, the time until HTTP 200 again (polled every 100 ms) and the
// issue's own MTTR as the Worker recorded it.
import { parseArgs } from "node:util";
import { startLab, timeUntilHealthy, waitFor } from "../scripts/lib/lab.mjs";

const { values } = parseArgs({
  options: { kills: { type: "string", default: "12" }, interval: { type: "string", default: "2" } },
});
const kills = Number(values.kills);
const interval = Number(values.interval);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(2)} s  p95 ${pct(xs, 95).toFixed(2)} s  max ${Math.max(...xs).toFixed(2)} s  (n=${xs.length})`;

console.log(`bench:mttr: ${kills} SIGKILLs at a ${interval} s interval (real Worker + real agent)`);
const lab = await startLab({ services: 1, interval, hostName: "bench-host" });
const svc = lab.services[0];
const healed: number[] = [];
const recorded: number[] = [];
try {
  for (let i = 0; i < kills; i++) {
    // Settle: service up and no unresolved issue, then a random phase within the interval.
    await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/healing/issues?status=active");
        return items.length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "no active issue" },
    );
    await new Promise((r) => setTimeout(r, 500 + Math.random() * interval * 1000));
    const resolvedBefore = (await lab.call("GET", "/api/healing/issues?status=resolved&limit=500")).items
      .length;
    process.kill(lab.pidOf(svc), "SIGKILL");
    const ms = await timeUntilHealthy(svc.url, { intervalMs: 100, timeoutMs: 60_000 });
    healed.push(ms / 1000);
    const issue = await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/healing/issues?status=resolved&limit=500");
        return items.length > resolvedBefore ? items[0] : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "the issue resolved" },
    );
    recorded.push(issue.mttrSeconds);
    console.log(
      `  kill ${i + 1}: HTTP 200 again after ${(ms / 1000).toFixed(2)} s; issue MTTR ${issue.mttrSeconds} s`,
    );
  }
  console.log(`time to HTTP 200 after SIGKILL: ${fmt(healed)}`);
  console.log(`issue MTTR (detected → resolved): ${fmt(recorded)}`);
  const target = 6;
  console.log(`target p50 ≤ ${target} s: ${pct(healed, 50) <= target ? "met" : "NOT met"}`);
} finally {
  await lab.stop();
}
