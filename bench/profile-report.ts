// npm run bench:profile-report [-- --hosts 200 --seconds 10 --concurrency 8 --top 30 --cold]
// Where a steady report's CPU goes: simulated agents post the ingest bench's reports to the real
// Worker (wrangler dev, local D1), and, once every host has reported, a CPU profile of the
// Worker's isolate (its host objects run in the same one locally) is taken through workerd's
// inspector (Chrome DevTools protocol, Profiler.start/stop). Inside workerd the clock stands still
// during a request, so the profile's samples are the way to time stages. Prints self time and
// inclusive time by function, and self time by source file, as ms per report. --cold profiles
// cold reports instead: after 20 s without a request (workerd evicts an object idle for 10 s),
// one report per host, each rebuilding its host's object from storage.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent } from "undici";
import WebSocket from "ws";
import { api, applyMigrations, freePort, newSecret, startWorker } from "../scripts/lib/stack.mjs";
import { stopChildrenOnExit } from "./lib/exit";
import { closedLoop, errorsText } from "./lib/load";
import { reportBody } from "./lib/report-body";
import { retried } from "./lib/retried";

const { values } = parseArgs({
  options: {
    hosts: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
    top: { type: "string", default: "30" },
    cold: { type: "boolean", default: false },
  },
});
const hosts = Number(values.hosts);
const concurrency = Number(values.concurrency);
const dispatcher = new Agent({ connections: concurrency * 2, keepAliveTimeout: 30_000 });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The inspector port wrangler was started with (stack.mjs picks a free one). */
function inspectorPort(pid: number): number {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  return Number(args[args.indexOf("--inspector-port") + 1]);
}

/** A DevTools protocol session over the inspector's WebSocket (wrangler's proxy to workerd's). */
async function devtools(port: number) {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const url = list[0].webSocketDebuggerUrl;
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => ws.on("open", resolve).on("error", reject));
  let seq = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
    // workerd answers some calls with their method and no result; wrangler's own calls count from 1e8
    if (msg.id === undefined || msg.id > seq) return;
    if (msg.error) console.error(JSON.stringify(msg.error));
    pending.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++seq;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** `cpuMs`: the Worker process's CPU per report (/proc), shared out by the profile's samples. */
function summarize(profile: Profile, cpuMs: number, top: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Samples counted, not their time deltas: on a loaded machine a descheduled thread's next sample
  // carries the whole gap, and the function it lands in takes the blame.
  const selfUs = new Map<number, number>();
  for (const id of profile.samples) selfUs.set(id, (selfUs.get(id) ?? 0) + 1);
  const label = (n: ProfileNode) => {
    const file = n.callFrame.url.split("/").slice(-2).join("/");
    return `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id) as ProfileNode;
    self.set(label(n), (self.get(label(n)) ?? 0) + us);
    const file = n.callFrame.url ? n.callFrame.url.split("/").slice(-2).join("/") : n.callFrame.functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    // each function on the stack once, however deep its recursion
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at) as ProfileNode);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    }
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)");
  const busy = total - idle.reduce((a, [, n]) => a + n, 0);
  const ms = (n: number) => ((n / busy) * cpuMs).toFixed(3);
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title} (ms per report)`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${ms(us).padStart(7)}  ${k}`);
  };
  console.log(
    `${busy} busy samples of ${total}; the Worker's ${cpuMs.toFixed(2)} ms CPU per report shared out:`,
  );
  print("self time by function", self);
  print("inclusive time by function", inclusive);
  print("self time by file", byFile);
}

const dir = mkdtempSync(path.join(tmpdir(), "selfheal-profile-"));
stopChildrenOnExit(dir);
const admin = newSecret();
const persistTo = path.join(dir, "wrangler");
await applyMigrations(persistTo);
const worker = await startWorker({ port: await freePort(), persistTo, adminToken: admin });
try {
  const { token: enroll } = await api(worker.url, admin, "POST", "/api/v1/tokens", {
    scope: "enroll",
    name: "bench",
  });
  const tokens: string[] = [];
  for (let i = 0; i < hosts; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, hosts - i) }, (_, k) =>
      retried(() => api(worker.url, enroll, "POST", "/api/v1/agent/enroll", { name: `sim-${i + k}` })),
    );
    for (const r of await Promise.all(batch)) tokens.push(r.agentToken);
  }
  let cursor = 0;
  const next = () => {
    const i = cursor++ % hosts;
    return {
      url: `${worker.url}/api/v1/agent/report`,
      headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
      body: reportBody(i),
      steady: true,
    };
  };
  // every host's first report (its object reads its D1 rows once), then a warm-up of steady ones
  for (let i = 0; i < hosts; i += concurrency)
    await Promise.all(
      Array.from({ length: Math.min(concurrency, hosts - i) }, async () => {
        const { url, headers, body } = next();
        await (await fetch(url, { method: "POST", headers, body })).arrayBuffer();
      }),
    );
  await closedLoop({ dispatcher, concurrency, seconds: 3, workerPgid: 0, next });
  if (values.cold) {
    // past workerd's eviction of idle objects, and past the alarms the reports above set
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    cursor = 0;
  }
  const session = await devtools(inspectorPort(worker.proc.pid ?? 0));
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 200 });
  await session.send("Profiler.start");
  const profiled = await closedLoop({
    dispatcher,
    concurrency,
    seconds: values.cold ? 600 : Number(values.seconds),
    count: values.cold ? hosts : undefined,
    workerPgid: worker.proc.pid ?? 0,
    next,
  });
  const { profile } = (await session.send("Profiler.stop")) as { profile: Profile };
  session.close();
  const cpuMs = (profiled.cpu.byRole.worker * 10) / profiled.perSecond;
  const cold = profiled.timings.get("object_cold") ?? [];
  const coldShare = cold.length
    ? `, ${((100 * cold.filter((c) => c === 1).length) / cold.length).toFixed(0)} % cold`
    : "";
  // a cold report's host object was rebuilt from its storage (evicted since its host's last report)
  console.log(`${profiled.perSecond.toFixed(0)} req/s while profiled, ${errorsText([profiled])}${coldShare}`);
  summarize(profile, cpuMs, Number(values.top));
} finally {
  await dispatcher.close();
  await worker.stop();
  rmSync(dir, { recursive: true, force: true });
}
