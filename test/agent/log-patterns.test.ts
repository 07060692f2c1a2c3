import { appendFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../agent/src/config/schema";
import { logsCollector } from "../../agent/src/logs/collector";
import { FileFollower, MAX_LINE } from "../../agent/src/logs/follow";
import { LineCounter } from "../../agent/src/logs/patterns";
import { cleanup, tempDir } from "./support/helpers";

afterEach(cleanup);

const log = (patterns: Record<string, string> = {}, builtin = true) => {
  const file = path.join(tempDir(), "app.log");
  writeFileSync(file, "old ERROR before the agent started\n");
  return { file, def: { name: "app", path: file, patterns, builtin } };
};

/** A clock the test moves: one minute per sample unless told otherwise. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms = 60_000) => (t += ms) };
}

describe("following a log file", () => {
  it("starts at the end and counts matches per interval, as a count and as a rate per minute", async () => {
    const { file, def } = log({ errors: "ERROR" });
    const c = clock();
    const collector = logsCollector([def], c.now);
    await collector.prime?.();
    appendFileSync(file, "ERROR one\ninfo\nERROR two\nERROR three\n");
    c.advance(30_000);
    const m = await collector.collect();
    expect(m["log:app.errors"]).toBe(3);
    expect(m["log:app.errors_per_min"]).toBe(6);
    c.advance();
    expect((await collector.collect())["log:app.errors"]).toBe(0);
  });

  it("keeps counting across rotation: the rest of the old file, then the new one from its start", async () => {
    const { file, def } = log({ errors: "ERROR" });
    const c = clock();
    const collector = logsCollector([def], c.now);
    await collector.prime?.();
    appendFileSync(file, "ERROR a\n");
    expect((await collector.collect())["log:app.errors"]).toBe(1);
    appendFileSync(file, "ERROR written just before rotation\n");
    renameSync(file, `${file}.1`);
    writeFileSync(file, "ERROR in the new file\nERROR again\n");
    c.advance();
    expect((await collector.collect())["log:app.errors"]).toBe(3);
    appendFileSync(file, "ERROR later\n");
    c.advance();
    expect((await collector.collect())["log:app.errors"]).toBe(1);
  });

  it("starts again from the top after truncation (copytruncate)", async () => {
    const { file, def } = log({ errors: "ERROR" });
    const collector = logsCollector([def], clock().now);
    await collector.prime?.();
    appendFileSync(file, "ERROR a\nERROR b\n");
    expect((await collector.collect())["log:app.errors"]).toBe(2);
    truncateSync(file, 0);
    appendFileSync(file, "ERROR after truncation\n");
    expect((await collector.collect())["log:app.errors"]).toBe(1);
  });

  it("waits for a file that does not exist yet, then reads it from its start", async () => {
    const file = path.join(tempDir(), "later.log");
    const collector = logsCollector(
      [{ name: "later", path: file, patterns: { e: "E" }, builtin: false }],
      clock().now,
    );
    await collector.prime?.();
    expect(await collector.collect()).toEqual({ "log:later.e": 0, "log:later.e_per_min": 0 });
    writeFileSync(file, "E1\nE2\n");
    expect((await collector.collect())["log:later.e"]).toBe(2);
  });

  it("joins a line written in two pieces, and cuts a line with no end at a bounded length", async () => {
    const file = path.join(tempDir(), "x.log");
    writeFileSync(file, "");
    const f = new FileFollower(file);
    await f.prime();
    const lines: string[] = [];
    appendFileSync(file, "hal");
    await f.poll((l) => lines.push(l));
    appendFileSync(file, "f a line\n");
    await f.poll((l) => lines.push(l));
    expect(lines).toEqual(["half a line"]);
    appendFileSync(file, "x".repeat(3 * MAX_LINE));
    await f.poll((l) => lines.push(l));
    expect(lines.length).toBeGreaterThan(1);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(MAX_LINE);
    await f.close();
  });
});

describe("the built-in failure signatures", () => {
  it("count OOM kills, segfaults and too many open files, once per event", () => {
    const c = new LineCounter({}, true);
    for (const line of [
      "kernel: java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0",
      "kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=java,pid=4242,uid=0",
      "kernel: Out of memory: Killed process 4242 (java) total-vm:8000000kB",
      "kernel: Memory cgroup out of memory: Killed process 99 (node)",
      "kernel: app[311]: segfault at 0 ip 000055d5 sp 00007ffd error 4 in app[55d5+1000]",
      "bash: line 1:  312 Segmentation fault      (core dumped) ./app",
      "accept4(): Too many open files",
    ])
      c.line(line);
    expect(c.take()).toEqual({ oom: 2, segfault: 2, too_many_files: 1, stack_traces: 0 });
  });

  it("count stack traces, not their lines (Java, Node, Python)", () => {
    const c = new LineCounter({}, true);
    const lines = [
      "Exception in thread main java.lang.NullPointerException",
      "    at com.example.App.run(App.java:10)",
      "    at com.example.App.main(App.java:3)",
      "TypeError: x is undefined",
      "    at handler (/srv/app.js:4:5)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "Traceback (most recent call last):",
      '  File "app.py", line 3, in <module>',
      "ZeroDivisionError: division by zero",
    ];
    for (const l of lines) c.line(l);
    expect(c.take().stack_traces).toBe(3);
  });
});

describe("the logs section of the agent config", () => {
  it("takes a name, a path and named regex patterns; built-ins on by default", () => {
    const cfg = parseConfig({
      logs: [{ name: "app", path: "/var/log/app.log", patterns: { errors: "ERROR|FATAL" } }],
    });
    expect(cfg.logs[0]).toEqual({
      name: "app",
      path: "/var/log/app.log",
      patterns: { errors: "ERROR|FATAL" },
      builtin: true,
    });
  });

  it("refuses a bad regex and names that would not fit a metric name", () => {
    expect(() => parseConfig({ logs: [{ name: "app", path: "/x", patterns: { e: "(" } }] })).toThrow(
      /logs\[0\]\.patterns\.e: not a valid regular expression/,
    );
    expect(() =>
      parseConfig({ logs: [{ name: "a".repeat(30), path: "/x", patterns: { ["b".repeat(30)]: "x" } }] }),
    ).toThrow(/51 characters at most/);
  });
});
