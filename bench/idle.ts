// npm run bench:idle [-- --hosts 1000 --seconds 30 --runs 3 --channel socket|longpoll --deliveries 300]
// N enrolled hosts each hold the command channel the way the real agent does: its command socket
// (a WebSocket to the host's object, "ping" every 45 s), or with --channel longpoll GET
// /api/v1/agent/commands?wait=20 re-armed at once; simulated in this one process against the
// real Worker under wrangler dev (N agent processes would not fit in memory). Prints, medians of
// --runs: the CPU the stack uses idle and with the N waiting (worker + D1 + host objects, dev
// proxy, wrangler), one other host's report latency while they wait, and queue → delivery
// latency for commands queued to waiting hosts (POST /api/healing/health-check), each to another
// host, timed from the request to the message the host gets: 300 of them by default, so that p99
// is a percentile and not the single slowest (printed apart, the 5 slowest with what they waited on).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import WebSocket from "ws";
import { api, applyMigrations, freePort, newSecret, startWorker } from "../scripts/lib/stack.mjs";
import { stopChildrenOnExit } from "./lib/exit";
import { cpuWindow, median, pct } from "./lib/load";

const { values } = parseArgs({
  options: {
    hosts: { type: "string", default: "1000" },
    seconds: { type: "string", default: "30" },
    runs: { type: "string", default: "3" },
    wait: { type: "string", default: "20" },
    channel: { type: "string", default: "socket" },
    deliveries: { type: "string", default: "300" },
  },
});
const channel = values.channel === "longpoll" ? "longpoll" : "socket";
const hosts = Number(values.hosts);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const wait = Number(values.wait);
const dispatcher = new Agent({
  connections: hosts + 64,
  keepAliveTimeout: 60_000,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");

const dir = mkdtempSync(path.join(tmpdir(), "selfheal-idle-"));
stopChildrenOnExit(dir);
const admin = newSecret();
const persistTo = path.join(dir, "wrangler");
await applyMigrations(persistTo);
const worker = await startWorker({ port: await freePort(), persistTo, adminToken: admin });
const pgid = worker.proc.pid ?? 0;

function reportBody() {
  return JSON.stringify({
    protocol: 1,
    agentVersion: "0.1.0",
    samples: [{ ts: new Date().toISOString(), metrics: { cpu: 20, memory: 50, disk: 60, load1: 0.5 } }],
    services: [{ name: "web", kind: "process", status: "up" }],
    results: [],
  });
}

async function post(url: string, token: string, body: string) {
  const res = await request(url, {
    method: "POST",
    dispatcher,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body,
  });
  await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode}`);
}

interface Waiter {
  hostId: string;
  token: string;
  /** Set by the bench when it queues a command for this host: resolved on its delivery. */
  expect?: { since: number; done: (ms: number) => void };
  seen: Set<string>;
  /** performance.now() of its channel's last event (opened, a message, a long-poll answered). */
  lastEvent: number;
}

interface Delivered {
  ms: number;
  index: number;
  at: number;
  answeredMs: number;
  idleMs: number;
  path: string;
  loopMaxMs: number;
}

let polling = true;
let polls = 0;
let pollErrors = 0;
/** The agent's command socket (agent/src/transport/socket.ts): commands arrive as messages. */
function connect(w: Waiter): Promise<void> {
  return new Promise((resolve) => {
    const url = `${worker.url.replace(/^http/, "ws")}/api/v1/agent/commands/socket`;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${w.token}` },
      perMessageDeflate: false,
    });
    const ping = setInterval(() => {
      try {
        ws.send("ping");
      } catch {} // not open (yet, or any more)
    }, 45_000);
    ws.on("open", () => {
      w.lastEvent = performance.now();
      resolve();
    });
    ws.on("message", (data) => {
      const text = data.toString();
      if (text === "pong") return;
      w.lastEvent = performance.now();
      polls++;
      const fresh = (JSON.parse(text).commands as { id: string }[]).filter((c) => !w.seen.has(c.id));
      for (const c of fresh) w.seen.add(c.id);
      if (fresh.length && w.expect) {
        w.expect.done(performance.now() - w.expect.since);
        w.expect = undefined;
      }
    });
    ws.on("error", () => pollErrors++);
    ws.on("close", () => {
      clearInterval(ping);
      resolve();
      if (polling) setTimeout(() => void connect(w), 1000);
    });
    sockets.push(ws);
  });
}
const sockets: WebSocket[] = [];

async function hold(w: Waiter) {
  while (polling) {
    const res = await request(`${worker.url}/api/v1/agent/commands?wait=${wait}`, {
      dispatcher,
      headers: { authorization: `Bearer ${w.token}` },
    }).catch(() => null);
    if (!res) {
      pollErrors++;
      await sleep(1000);
      continue;
    }
    const text = await res.body.text();
    w.lastEvent = performance.now();
    polls++;
    if (res.statusCode !== 200) {
      pollErrors++;
      await sleep(1000);
      continue;
    }
    const fresh = (JSON.parse(text).commands as { id: string }[]).filter((c) => !w.seen.has(c.id));
    for (const c of fresh) w.seen.add(c.id);
    if (fresh.length && w.expect) {
      w.expect.done(performance.now() - w.expect.since);
      w.expect = undefined;
    }
  }
}

/** Runs a set-up call again when wrangler's dev proxy drops the request on a loaded machine. */
async function retried<T>(call: () => Promise<T>, tries = 5): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (tries <= 1) throw err;
    await sleep(1000);
    return retried(call, tries - 1);
  }
}
const enrol = (token: string, name: string): Promise<{ hostId: string; agentToken: string }> =>
  retried(() => api(worker.url, token, "POST", "/api/v1/agent/enroll", { name }));

try {
  const { token: enroll } = await api(worker.url, admin, "POST", "/api/v1/tokens", {
    scope: "enroll",
    name: "bench",
  });
  const waiters: Waiter[] = [];
  const started = Date.now();
  // 8 at a time: wrangler's dev proxy drops the whole batch on a loaded machine at 32 ("restarted mid-request")
  for (let i = 0; i < hosts + 1; i += 8) {
    const batch = Array.from({ length: Math.min(8, hosts + 1 - i) }, (_, k) =>
      enrol(enroll, `idle-${i + k}`),
    );
    for (const r of await Promise.all(batch))
      waiters.push({ hostId: r.hostId, token: r.agentToken, seen: new Set(), lastEvent: 0 });
  }
  const reporter = waiters.pop() as Waiter;
  console.log(`enrolled ${hosts + 1} hosts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // every host reports once, as an agent does on start (its object then holds its state)
  for (let i = 0; i < waiters.length; i += 8)
    await Promise.all(
      waiters
        .slice(i, i + 8)
        .map((w) => retried(() => post(`${worker.url}/api/v1/agent/report`, w.token, reportBody()))),
    );
  await post(`${worker.url}/api/v1/agent/report`, reporter.token, reportBody());
  await sleep(3000);

  const idle: number[] = [];
  const busy: { total: number[]; worker: number[]; proxy: number[]; wrangler: number[]; client: number[] } = {
    total: [],
    worker: [],
    proxy: [],
    wrangler: [],
    client: [],
  };
  for (let run = 0; run < runs; run++) {
    const close = cpuWindow(pgid);
    await sleep(Math.min(seconds, 15) * 1000);
    idle.push(close().worker);
  }
  // arm the waits spread over one wait period, as agents started at different times would be
  const holders =
    channel === "socket"
      ? waiters.map((w, i) => sleep((i / waiters.length) * 5000).then(() => connect(w)))
      : waiters.map(async (w, i) => {
          await sleep((i / waiters.length) * wait * 1000);
          return hold(w);
        });
  if (channel === "socket") await Promise.all(holders);
  await sleep((wait + 5) * 1000);
  for (let run = 0; run < runs; run++) {
    const polls0 = polls;
    const close = cpuWindow(pgid);
    await sleep(seconds * 1000);
    const cpu = close();
    busy.total.push(cpu.worker);
    busy.worker.push(cpu.byRole.worker);
    busy.proxy.push(cpu.byRole.proxy);
    busy.wrangler.push(cpu.byRole.wrangler);
    busy.client.push(cpu.client);
    console.log(
      `  run ${run + 1}: ${((polls - polls0) / seconds).toFixed(1)} ${channel === "socket" ? "messages" : "long-polls answered"}/s, stack ${f1(cpu.worker)} % of a core`,
    );
  }

  // one other host's steady reports while the N wait: 10 a second
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const t0 = performance.now();
    await post(`${worker.url}/api/v1/agent/report`, reporter.token, reportBody());
    latencies.push(performance.now() - t0);
    await sleep(Math.max(0, 100 - (performance.now() - t0)));
  }

  // queue → delivery to a waiting host: a health_check queued through the API, one at a time,
  // each to a different host (spread over all of them), timed from the request to the message
  const deliveries: Delivered[] = [];
  const samples = Math.min(Number(values.deliveries), waiters.length);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  for (let k = 0; k < samples; k++) {
    const index = Math.floor((k * waiters.length) / samples);
    const w = waiters[index];
    const idleMs = performance.now() - w.lastEvent;
    const delivered = new Promise<number>((done) => {
      w.expect = { since: performance.now(), done };
    });
    const at = Date.now();
    const since = performance.now();
    loop.reset();
    let answeredMs = Number.NaN;
    const answered = api(worker.url, admin, "POST", "/api/healing/health-check", { host: w.hostId }).then(
      () => (answeredMs = performance.now() - since),
    );
    const ms = await Promise.race([delivered, sleep(30_000).then(() => Number.NaN)]);
    await answered;
    const path = Number.isNaN(ms) ? "lost" : ms <= answeredMs ? "before the answer" : "after the answer";
    deliveries.push({ ms, index, at, answeredMs, idleMs, path, loopMaxMs: loop.max / 1e6 });
    await sleep(50);
  }
  loop.disable();
  polling = false;
  for (const ws of sockets) ws.terminate();

  const m = median;
  console.log(
    `${hosts} hosts holding ${channel === "socket" ? "the command socket" : `GET /api/v1/agent/commands?wait=${wait}`}, medians of ${runs} runs of ${seconds} s`,
  );
  console.log(`  idle stack (no one waiting): ${f1(m(idle))} % of a core`);
  console.log(
    `  with ${hosts} waiting: ${f1(m(busy.total))} % of a core (Worker + D1 + objects ${f1(m(busy.worker))}, dev proxy ${f1(m(busy.proxy))}, wrangler ${f1(m(busy.wrangler))}); bench client ${f1(m(busy.client))}`,
  );
  console.log(`  added by the waiting hosts: ${f1(m(busy.total) - m(idle))} % of a core`);
  console.log(
    `  one other host's report while they wait (10/s): p50 ${f1(pct(latencies, 50))} ms, p99 ${f1(pct(latencies, 99))} ms (${latencies.length} reports)`,
  );
  const got = deliveries.map((d) => d.ms).filter(Number.isFinite);
  console.log(
    `  queue → delivery to a waiting host: p50 ${f1(pct(got, 50))} ms, p99 ${f1(pct(got, 99))} ms, max ${f1(Math.max(...got))} ms (${got.length}/${samples} delivered)`,
  );
  console.log("  the 5 slowest deliveries:");
  for (const d of [...deliveries].sort((a, b) => (b.ms || Infinity) - (a.ms || Infinity)).slice(0, 5))
    console.log(
      `    ${f1(d.ms)} ms to host #${d.index} at ${new Date(d.at).toISOString()}: ${d.path} (answered in ${f1(d.answeredMs)} ms), its ${channel === "socket" ? "socket" : "long-poll"} idle ${f1(d.idleMs / 1000)} s before, bench client's event loop delayed up to ${f1(d.loopMaxMs)} ms`,
    );
  console.log(`  long-poll errors: ${pollErrors}`);
  await worker.stop();
  await Promise.race([Promise.all(holders), sleep(1000)]);
} finally {
  await dispatcher.close().catch(() => {});
  await worker.stop();
  rmSync(dir, { recursive: true, force: true });
}
