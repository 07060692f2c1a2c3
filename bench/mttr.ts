// npm run bench:mttr [-- --kills N --interval S --vs-monit]
// Kills a real process supervised by the real agent (reporting to the real Worker) N times with
// SIGKILL and measures, per kill, the time until HTTP 200 again (polled every 100 ms) and the
// issue's own MTTR as the Worker recorded it. With --vs-monit, Debian's monit (set daemon 2,
// `if failed port … protocol http then restart`) supervises an identical service in the same run,
// killed alternately, and both distributions and their ratio are printed.
import { parseArgs } from "node:util";
import { startLab, timeUntilHealthy, waitFor } from "../scripts/lib/lab.mjs";
import { startMonit } from "./lib/monit";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "12" },
    interval: { type: "string", default: "2" },
    "vs-monit": { type: "boolean", default: false },
  },
});
const kills = Number(values.kills);
const interval = Number(values.interval);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(2)} s  p95 ${pct(xs, 95).toFixed(2)} s  max ${Math.max(...xs).toFixed(2)} s  (n=${xs.length})`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(
  `bench:mttr: ${kills} SIGKILLs at a ${interval} s interval (real Worker + real agent)${values["vs-monit"] ? ", and monit (set daemon 2) side by side" : ""}`,
);
const lab = await startLab({ services: 1, interval, hostName: "bench-host" });
// repeated kills of one service, each a separate fault: not the crash loop that escalates
await lab.call("POST", "/api/healing/config", { recovery: { crash_loop: { restarts: 100 } } });
const monit = values["vs-monit"] ? await startMonit(2) : undefined;
const svc = lab.services[0];
const healed: number[] = [];
const recorded: number[] = [];
const monitHealed: number[] = [];
try {
  for (let i = 0; i < kills; i++) {
    // Settle: no unresolved issue, then a random phase within the interval (and monit's cycle).
    await waitFor(
      async () => (await lab.call("GET", "/api/healing/issues?status=active")).items.length === 0,
      { timeoutMs: 60_000, intervalMs: 200, what: "no active issue" },
    );
    await pause(500 + Math.random() * interval * 1000);
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
    let line = `  kill ${i + 1}: selfheal HTTP 200 after ${(ms / 1000).toFixed(2)} s (issue MTTR ${issue.mttrSeconds} s)`;
    if (monit) {
      await pause(500 + Math.random() * 2000);
      process.kill(monit.pid(), "SIGKILL");
      const m = await timeUntilHealthy(monit.url, { intervalMs: 100, timeoutMs: 60_000 });
      monitHealed.push(m / 1000);
      line += `; monit ${(m / 1000).toFixed(2)} s`;
    }
    console.log(line);
  }
  console.log(`selfheal, SIGKILL → HTTP 200: ${fmt(healed)}`);
  console.log(`selfheal, issue MTTR (detected → resolved): ${fmt(recorded)}`);
  if (monit) {
    console.log(`monit (set daemon 2), SIGKILL → HTTP 200: ${fmt(monitHealed)}`);
    console.log(`ratio monit/selfheal at p50: ${(pct(monitHealed, 50) / pct(healed, 50)).toFixed(1)}×`);
    const ok = pct(healed, 50) <= 1.5 && pct(healed, 95) <= 3 && pct(healed, 50) < pct(monitHealed, 50);
    console.log(`target (p50 ≤ 1.5 s, p95 ≤ 3 s, ahead of monit's p50): ${ok ? "met" : "NOT met"}`);
  } else {
    console.log(`target p50 ≤ 6 s: ${pct(healed, 50) <= 6 ? "met" : "NOT met"}`);
  }
} finally {
  await monit?.stop();
  await lab.stop();
}
