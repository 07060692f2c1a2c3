import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parsePerfdata, readPlugin } from "../../agent/src/checks/nagios";
import { runPlugin } from "../../agent/src/checks/run-plugin";
import { CheckScheduler, checksCollector, readingMetrics } from "../../agent/src/checks/scheduler";
import { parseConfig } from "../../agent/src/config/schema";
import { cleanup, freePort, memoryLog, onCleanup, tempDir, waitFor, writeScript } from "./support/helpers";

afterEach(cleanup);

const PLUGINS = "/usr/lib/nagios/plugins";
const plugin = (name: string) => {
  const file = path.join(PLUGINS, name);
  // CI installs monitoring-plugins-basic; a missing plugin is a broken setup, not a reason to skip
  if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install -y monitoring-plugins-basic`);
  return file;
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("reading a Nagios plugin", () => {
  it("maps exit codes to OK, WARNING, CRITICAL and UNKNOWN (anything else is UNKNOWN)", () => {
    expect([0, 1, 2, 3, 4, 127, null].map((c) => readPlugin(c, "X").status)).toEqual([
      "ok",
      "warning",
      "critical",
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
  });

  it("takes the first line as the status text and perfdata from it and from the long output", () => {
    const r = readPlugin(
      1,
      "LOAD WARNING - 3.1 | load1=3.1;2;4;0\nlong text line\nmore | load5=2.5;;\nload15=1.5\n",
    );
    expect(r.text).toBe("LOAD WARNING - 3.1");
    expect(r.perf.map((p) => [p.label, p.value])).toEqual([
      ["load1", 3.1],
      ["load5", 2.5],
      ["load15", 1.5],
    ]);
  });

  it("converts units to seconds and bytes, keeps percent and counters, skips undetermined values", () => {
    const perf = parsePerfdata(
      "time=250ms;1;2 lat=30us t=2s 'used space'=2GB;;;0;10 pct=75%;80;90 hits=12c na=U raw=7",
    );
    expect(Object.fromEntries(perf.map((p) => [p.label, p.value]))).toEqual({
      time: 0.25,
      lat: 0.00003,
      t: 2,
      "used space": 2 * 1024 ** 3,
      pct: 75,
      hits: 12,
      raw: 7,
    });
  });

  it("names metrics check:<name>.* or, for a check of a service, check:<service>.<name>.*", () => {
    const r = readPlugin(2, "HTTP CRITICAL | time=1.5s status=3 'a b'=1");
    expect(readingMetrics({ name: "http" }, r)).toEqual({
      "check:http.status": 2,
      "check:http.time": 1.5,
      "check:http.status_perf": 3,
      "check:http.a_b": 1,
    });
    expect(Object.keys(readingMetrics({ name: "http", service: "web" }, r))[0]).toBe("check:web.http.status");
  });
});

describe("running real plugins from monitoring-plugins-basic", () => {
  it("check_disk on / is OK with its used bytes as perfdata", async () => {
    const r = await runPlugin([plugin("check_disk"), "-w", "1%", "-c", "0%", "-p", "/"], 10_000);
    expect(r.status).toBe("ok");
    expect(r.text).toMatch(/^DISK OK/);
    const used = r.perf.find((p) => p.label === "/");
    expect(used?.uom).toBe("B");
    expect(used?.value).toBeGreaterThan(0);
  });

  it("check_procs goes CRITICAL when there are fewer processes than asked for", async () => {
    const ok = await runPlugin([plugin("check_procs"), "-w", "1:", "-c", "1:"], 10_000);
    expect(ok.status).toBe("ok");
    expect(ok.perf.find((p) => p.label === "procs")?.value).toBeGreaterThan(0);
    const bad = await runPlugin([plugin("check_procs"), "-C", "no-such-program-xyz", "-c", "1:"], 10_000);
    expect(bad).toMatchObject({ status: "critical", code: 2 });
    expect(bad.text).toMatch(/^PROCS CRITICAL/);
  });

  it("check_tcp is OK on a listening port and CRITICAL on a closed one", async () => {
    const server = http.createServer((_q, s) => s.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    onCleanup(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const ok = await runPlugin([plugin("check_tcp"), "-H", "127.0.0.1", "-p", String(port)], 10_000);
    expect(ok.status).toBe("ok");
    expect(ok.perf.find((p) => p.label === "time")?.uom).toBe("s");
    const closed = await freePort();
    const bad = await runPlugin([plugin("check_tcp"), "-H", "127.0.0.1", "-p", String(closed)], 10_000);
    expect(bad.status).toBe("critical");
    expect(bad.text).toMatch(/refused/i);
  });

  it("check_http reads a page's status and answer time, and is CRITICAL on a 500", async () => {
    const server = http.createServer((q, s) => {
      s.statusCode = q.url === "/broken" ? 500 : 200;
      s.end("hello");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    onCleanup(() => new Promise<void>((r) => server.close(() => r())));
    const port = String((server.address() as AddressInfo).port);
    const ok = await runPlugin([plugin("check_http"), "-H", "127.0.0.1", "-p", port, "-u", "/"], 10_000);
    expect(ok.status).toBe("ok");
    expect(ok.perf.map((p) => p.label)).toEqual(expect.arrayContaining(["time", "size"]));
    const bad = await runPlugin(
      [plugin("check_http"), "-H", "127.0.0.1", "-p", port, "-u", "/broken"],
      10_000,
    );
    expect(bad.status).toBe("critical");
    expect(bad.text).toMatch(/500/);
  });
});

describe("running a check", () => {
  it("is UNKNOWN when the program cannot be started", async () => {
    const r = await runPlugin(["/no/such/plugin"], 5_000);
    expect(r).toMatchObject({ status: "unknown", code: 3 });
    expect(r.text).toMatch(/could not run \/no\/such\/plugin: ENOENT/);
  });

  it("is UNKNOWN on timeout, and the timeout kills the plugin's whole process group", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "child.pid");
    const script = writeScript(dir, "hang", `sleep 300 & echo $! > "${pidFile}"; wait`);
    const r = await runPlugin([script], 500);
    expect(r.status).toBe("unknown");
    expect(r.text).toMatch(/timed out after 500 ms/);
    const pid = Number(readFileSync(pidFile, "utf8"));
    await waitFor(() => !alive(pid), 5_000, "the plugin's child to be killed");
  });

  it("is read when the plugin exits, and a child it left behind holding its output is killed", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "child.pid");
    const script = writeScript(
      dir,
      "leaves-child",
      `sleep 300 & echo $! > "${pidFile}"; echo "OK - done | t=1ms"; exit 0`,
    );
    const r = await runPlugin([script], 60_000);
    expect(r).toMatchObject({ status: "ok", text: "OK - done", perf: [{ label: "t", value: 0.001 }] });
    const pid = Number(readFileSync(pidFile, "utf8"));
    await waitFor(() => !alive(pid), 5_000, "the left-behind child to be killed");
  });

  it("runs each check on its own interval, never overlapping itself", async () => {
    const dir = tempDir();
    const runs = path.join(dir, "runs");
    writeFileSync(runs, "");
    // a slow check: it notes when it starts and ends; an overlap would show two starts in a row
    const slow = writeScript(
      dir,
      "slow",
      `echo start >> "${runs}"; sleep 1.2; echo end >> "${runs}"; echo "SLOW OK"`,
    );
    const { log } = memoryLog();
    const scheduler = new CheckScheduler(
      [{ name: "slow", command: [slow], interval: 1, timeoutMs: 10_000 }],
      log,
    );
    onCleanup(() => scheduler.stop());
    scheduler.start();
    await waitFor(
      () =>
        readFileSync(runs, "utf8")
          .split("\n")
          .filter((l) => l === "end").length >= 2,
      15_000,
      "two runs",
    );
    scheduler.stop();
    const lines = readFileSync(runs, "utf8").trim().split("\n");
    expect(lines).toEqual(lines.map((_, i) => (i % 2 === 0 ? "start" : "end")));
    expect(scheduler.readings().get("slow")?.text).toBe("SLOW OK");
  });

  it("puts each check's latest reading in the sample and logs a change of status with its text", async () => {
    const dir = tempDir();
    const state = path.join(dir, "state");
    writeFileSync(state, "0");
    const flip = writeScript(dir, "flip", `s=$(cat "${state}"); echo "FLIP $s | v=$s"; exit $s`);
    const { log, lines } = memoryLog();
    const collector = checksCollector(
      [{ name: "flip", command: [flip], interval: 1, timeoutMs: 5_000 }],
      log,
    );
    onCleanup(() => collector.stop());
    await collector.prime?.();
    await waitFor(
      async () => (await collector.collect())["check:flip.status"] === 0,
      10_000,
      "first reading",
    );
    writeFileSync(state, "2");
    await waitFor(async () => (await collector.collect())["check:flip.status"] === 2, 10_000, "critical");
    expect(await collector.collect()).toMatchObject({ "check:flip.v": 2 });
    expect(lines.some((l) => l.includes("check flip: CRITICAL") && l.includes("FLIP 2"))).toBe(true);
  });
});

describe("the checks section of the agent config", () => {
  it("takes a name, an argv, an interval, a timeout and an optional service", () => {
    const cfg = parseConfig({
      services: [{ name: "web", kind: "systemd" }],
      checks: [
        { name: "disk", command: ["/usr/lib/nagios/plugins/check_disk", "-w", "10%"] },
        {
          name: "http",
          command: ["check_http", "-H", "localhost"],
          interval: 30,
          timeoutMs: 5000,
          service: "web",
        },
      ],
    });
    expect(cfg.checks[0]).toMatchObject({ interval: 60, timeoutMs: 10_000 });
    expect(cfg.checks[1]).toMatchObject({ service: "web", interval: 30 });
  });

  it("refuses an unknown service, a duplicate name and a name that cannot be a metric", () => {
    expect(() => parseConfig({ checks: [{ name: "x", command: ["a"], service: "nope" }] })).toThrow(
      /checks\[0\]\.service: "nope" is not a configured service/,
    );
    expect(() =>
      parseConfig({
        checks: [
          { name: "x", command: ["a"] },
          { name: "x", command: ["b"] },
        ],
      }),
    ).toThrow(/duplicate check "x"/);
    expect(() => parseConfig({ checks: [{ name: "a b", command: ["a"] }] })).toThrow(/checks\[0\]\.name/);
  });
});
