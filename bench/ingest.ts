// npm run bench:ingest [-- --hosts 100,1000,5000 --seconds 20 --concurrency 16]
// Simulated agents post realistic reports (one sample, three services) to the real Worker on
// local workerd (wrangler dev, local D1). For each fleet size it prints reports/s, p50/p99
// latency, payload bytes, and D1 rows written per report (from the Worker's Server-Timing
// header when it sends one).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { api, applyMigrations, freePort, newSecret, startWorker } from "../scripts/lib/stack.mjs";

const { values } = parseArgs({
  options: {
    hosts: { type: "string", default: "100,1000,5000" },
    seconds: { type: "string", default: "20" },
    concurrency: { type: "string", default: "16" },
  },
});
const fleets = values.hosts.split(",").map(Number);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const pool = new Agent({ connections: concurrency * 2, keepAliveTimeout: 30_000 });

const dir = mkdtempSync(path.join(tmpdir(), "selfheal-ingest-"));
const admin = newSecret();
const persistTo = path.join(dir, "wrangler");
await applyMigrations(persistTo);
const worker = await startWorker({ port: await freePort(), persistTo, adminToken: admin });
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function reportBody(i: number) {
  const wave = Math.sin(Date.now() / 60_000 + i);
  return JSON.stringify({
    protocol: 1,
    reason: "interval",
    samples: [
      {
        ts: new Date().toISOString(),
        metrics: {
          cpu: 20 + 10 * wave,
          memory: 52 + wave,
          swap: 1,
          disk: 61,
          "disk:/": 61,
          "disk:/var": 40,
          load1: 0.8,
          load5: 0.7,
          load15: 0.6,
          "net.rx": 12000,
          "net.tx": 9000,
          "svc:web.cpu": 3,
          "svc:web.rss": 1.2e8,
          "svc:db.cpu": 2,
          "svc:db.rss": 4e8,
        },
      },
    ],
    services: [
      { name: "web", kind: "process", status: "up", pid: 1000 + i },
      { name: "db", kind: "systemd", status: "up" },
      { name: "cache", kind: "docker", status: "up" },
    ],
    results: [],
  });
}

try {
  const { token: enroll } = await api(worker.url, admin, "POST", "/api/v1/tokens", {
    scope: "enroll",
    name: "bench",
  });
  const tokens: string[] = [];
  for (const fleet of fleets) {
    // Enrol up to this fleet size (fleets grow: 100, then 900 more, then 4000 more).
    const start = Date.now();
    for (let i = tokens.length; i < fleet; i += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, fleet - i) }, (_, k) =>
        api(worker.url, enroll, "POST", "/api/v1/agent/enroll", { name: `sim-${i + k}` }).then(
          (r) => r.agentToken,
        ),
      );
      tokens.push(...(await Promise.all(batch)));
    }
    if (Date.now() - start > 1000)
      console.log(`  enrolled ${tokens.length} hosts in ${((Date.now() - start) / 1000).toFixed(1)} s`);

    const latencies: number[] = [];
    const rows: number[] = [];
    let errors = 0;
    let bytes = 0;
    let next = 0;
    const deadline = Date.now() + seconds * 1000;
    const client = async () => {
      while (Date.now() < deadline) {
        const i = next++ % fleet;
        const body = reportBody(i);
        bytes = body.length;
        const t0 = performance.now();
        const res = await request(`${worker.url}/api/v1/agent/report`, {
          method: "POST",
          dispatcher: pool,
          headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
          body,
        });
        await res.body.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.statusCode !== 200) errors++;
        const timing = String(res.headers["server-timing"] ?? "");
        const written = /d1_rows_written;desc="?(\d+)/.exec(timing)?.[1];
        if (written) rows.push(Number(written));
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: concurrency }, client));
    const elapsed = (Date.now() - t0) / 1000;
    const rowsText = rows.length ? `${(rows.reduce((a, b) => a + b, 0) / rows.length).toFixed(1)}` : "n/a";
    console.log(
      `${String(fleet).padStart(5)} hosts: ${(latencies.length / elapsed).toFixed(0)} reports/s, p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, ` +
        `${errors} errors, ${bytes} bytes/report, D1 rows written/report ${rowsText} (concurrency ${concurrency}, ${seconds} s)`,
    );
  }
} finally {
  await pool.close();
  await worker.stop();
  rmSync(dir, { recursive: true, force: true });
}
