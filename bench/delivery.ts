// npm run bench:delivery [-- --runs N --interval S]
// How long a command queued between reports takes to reach the host. The lab (real Worker, real
// agent) reports every S seconds (default 10) and asks for approval before any action. Per run:
// kill the service, wait for its issue to await approval, approve it (POST /api/healing/recover),
// and time until the agent's result is recorded. `durationMs` (the restart itself, on the host)
// is subtracted to give the delivery + result round trip. Without the long-poll the command would
// wait for the next report: interval / 2 on average, a whole interval at worst.
import { parseArgs } from "node:util";
import { startLab, waitFor } from "../scripts/lib/lab.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "10" }, interval: { type: "string", default: "10" } },
});
const runs = Number(values.runs);
const interval = Number(values.interval);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(2)} s  p95 ${pct(xs, 95).toFixed(2)} s  max ${Math.max(...xs).toFixed(2)} s  (n=${xs.length})`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Issue = { id: string; rule: string; target: string; status: string };

console.log(
  `bench:delivery: ${runs} approvals at a ${interval} s report interval (real Worker + real agent)`,
);
const lab = await startLab({ services: 1, interval, hostName: "bench-delivery" });
const svc = lab.services[0];
const total: number[] = [];
const delivery: number[] = [];
try {
  // repeated kills of one service, each a separate fault: not the crash loop that escalates
  await lab.call("POST", "/api/healing/config", {
    recovery: { require_confirmation: true, crash_loop: { restarts: 100 } },
  });
  for (let i = 0; i < runs; i++) {
    process.kill(lab.pidOf(svc), "SIGKILL");
    const issue: Issue = await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/healing/issues?status=active");
        return (items as Issue[]).find((x) => x.target === svc.name && x.status === "awaiting_approval");
      },
      { timeoutMs: 60_000, intervalMs: 100, what: "an issue awaiting approval" },
    );
    // a random phase within the interval: the long-poll should not care where the report loop is
    await pause(Math.random() * interval * 1000);
    const started = Date.now();
    const { commandId } = await lab.call("POST", "/api/healing/recover", {
      issue_id: issue.id,
      action: "auto",
    });
    const entry = await waitFor(
      async () => {
        const { items } = await lab.call("GET", `/api/healing/recovery-history?issue=${issue.id}`);
        return items.find(
          (e: { commandId: string; status: string }) => e.commandId === commandId && e.status !== "pending",
        );
      },
      { timeoutMs: 3 * interval * 1000, intervalMs: 25, what: "the command's result" },
    );
    const ms = Date.now() - started;
    total.push(ms / 1000);
    delivery.push((ms - (entry.durationMs ?? 0)) / 1000);
    console.log(
      `  run ${i + 1}: result ${entry.status} after ${(ms / 1000).toFixed(2)} s (restart on the host ${((entry.durationMs ?? 0) / 1000).toFixed(2)} s)`,
    );
    await waitFor(
      async () => (await lab.call("GET", `/api/healing/issues/${issue.id}`)).status === "resolved",
      { timeoutMs: 60_000, intervalMs: 200, what: "the issue resolved" },
    );
  }
  console.log(`approve → result recorded:          ${fmt(total)}`);
  console.log(`  of which delivery + result trip:  ${fmt(delivery)}`);
  console.log(
    `  (waiting for the next report instead: ~${(interval / 2).toFixed(1)} s on average, ${interval} s at worst)`,
  );
} finally {
  await lab.stop();
}
