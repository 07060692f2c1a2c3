/**
 * Plain processes, Monit-style. Which process: the pid in `pidFile`; else the oldest process whose
 * command line matches `match`; else the one the agent started itself from `start`.
 * Restart: `stop` argv (or SIGTERM), up to stopWaitMs for it to go, SIGKILL, then `start` argv.
 * Force restart: SIGKILL at once, then `start`. Stop: the first half of a restart.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ServiceConfig } from "../config/schema";
import { errorMessage, sleep, truncateTail } from "../util";
import { combinedOutput, describeExit, execArgv } from "./exec";
import { readLogTail } from "./log-tail";
import { runCheck } from "./probes";
import { findByMatch, isAlive, readPidFile, startTicks, stillSameProcess, waitForExit } from "./proc";
import { startDetached } from "./spawn";
import type { StartedProcesses } from "./started";
import type { Outcome, Probe, ServiceDriver } from "./types";

export type ExitListener = (
  service: string,
  pid: number,
  code: number | null,
  signal: NodeJS.Signals | null,
) => void;

export interface ProcessDriverOptions {
  started: StartedProcesses;
  /** Where started services write their output; without it the driver can look but not start. */
  logsDir?: string;
  settleMs?: number;
  stopWaitMs?: number;
  /** After the settle, how long to wait for the service's own check to pass, so the next report can show it up. */
  checkWaitMs?: number;
  onExit?: ExitListener;
}

interface Located {
  pid?: number;
  /** Started by this agent (its own process group, so stop the whole group). */
  ours: boolean;
  detail: string;
}

export class ProcessDriver implements ServiceDriver {
  /** Pids being stopped on purpose: their exit is not news. */
  private readonly stopping = new Set<number>();
  private readonly exitCodes = new Map<number, number | null>();
  /** The process each service's last probe found, named by pid and start time. */
  private readonly lastSeen = new Map<string, { pid: number; ticks: number }>();
  /** Children this agent process started that have not exited: their exit comes as an event. */
  private readonly children = new Set<number>();

  constructor(private readonly opts: ProcessDriverOptions) {}

  async locate(svc: ServiceConfig): Promise<Located> {
    if (svc.pidFile) {
      const pid = readPidFile(svc.pidFile);
      if (pid === undefined) return { ours: false, detail: `pid file ${svc.pidFile} missing or empty` };
      return isAlive(pid)
        ? { pid, ours: pid === this.opts.started.pid(svc.name), detail: `pid ${pid} (from ${svc.pidFile})` }
        : { ours: false, detail: `pid ${pid} from ${svc.pidFile} is not running` };
    }
    if (svc.match) {
      const pid = await findByMatch(new RegExp(svc.match));
      return pid
        ? {
            pid,
            ours: pid === this.opts.started.pid(svc.name),
            detail: `pid ${pid} (matches /${svc.match}/)`,
          }
        : { ours: false, detail: `no process matches /${svc.match}/` };
    }
    const pid = this.opts.started.pid(svc.name);
    return pid
      ? { pid, ours: true, detail: `pid ${pid} (started by the agent)` }
      : { ours: false, detail: "not running (no process started by the agent is alive)" };
  }

  async probe(svc: ServiceConfig): Promise<Probe> {
    const found = await this.locate(svc);
    const ticks = found.pid ? startTicks(found.pid) : undefined;
    if (found.pid && ticks !== undefined) this.lastSeen.set(svc.name, { pid: found.pid, ticks });
    else this.lastSeen.delete(svc.name);
    if (found.pid) return { status: "up", pid: found.pid, detail: found.detail };
    // the output of its last run, when the agent started it: why it died (crash loops)
    const logTail = this.opts.logsDir
      ? readLogTail(path.join(this.opts.logsDir, `${svc.name}.log`))
      : undefined;
    return { status: "down", detail: found.detail, ...(logTail ? { logTail } : {}) };
  }

  /**
   * The liveness probe's shortcut, run every second: is the process the last probe found still
   * running? One /proc read instead of locate's pid file, run record and stat reads (a third of
   * the agent's idle CPU went there). It only confirms: false means "probe it properly", since the
   * service may have been restarted from outside with a new pid.
   */
  stillRunning(svc: ServiceConfig): boolean {
    const seen = this.lastSeen.get(svc.name);
    return seen !== undefined && stillSameProcess(seen.pid, seen.ticks);
  }

  /**
   * True when the process the last probe found is a child of this agent process: its exit reaches
   * `onExit` at once, so polling it adds nothing. (Not after an agent restart: the child of the
   * previous agent is polled like any process found by pid file.)
   */
  watchesExit(svc: ServiceConfig): boolean {
    const seen = this.lastSeen.get(svc.name);
    return seen !== undefined && this.children.has(seen.pid);
  }

  async restart(svc: ServiceConfig): Promise<Outcome> {
    if (!svc.start)
      return {
        status: "failed",
        exitCode: null,
        output: `cannot restart ${svc.name}: no "start" command in this agent's config (left untouched)`,
      };
    const steps = [(await this.halt(svc, false)).lines];
    const started = await this.start(svc);
    steps.push(started.output);
    return { ...started, output: steps.join("\n") };
  }

  async forceRestart(svc: ServiceConfig): Promise<Outcome> {
    if (!svc.start)
      return {
        status: "failed",
        exitCode: null,
        output: `cannot force-restart ${svc.name}: no "start" command in this agent's config (left untouched)`,
      };
    const steps = [(await this.halt(svc, true)).lines];
    const started = await this.start(svc);
    steps.push(started.output);
    return { ...started, output: steps.join("\n") };
  }

  async stop(svc: ServiceConfig): Promise<Outcome> {
    const { lines, gone } = await this.halt(svc, false);
    return gone
      ? { status: "succeeded", exitCode: 0, output: lines }
      : { status: "failed", exitCode: null, output: `${lines}\nit is still running` };
  }

  /** Starts the service if nothing is running for it (config `autostart`). */
  async ensureStarted(svc: ServiceConfig): Promise<Outcome | undefined> {
    if (!svc.start) return undefined;
    let found: Located;
    try {
      found = await this.locate(svc);
    } catch (err) {
      // not knowing whether it runs is no reason to start a second copy
      return { status: "failed", exitCode: null, output: `not started: ${errorMessage(err)}` };
    }
    return found.pid ? undefined : this.start(svc, false);
  }

  /** Stops it politely (stop argv or SIGTERM, then SIGKILL after stopWaitMs) or, with `force`, by SIGKILL at once. */
  private async halt(svc: ServiceConfig, force: boolean): Promise<{ lines: string; gone: boolean }> {
    const found = await this.locate(svc);
    const pid = found.pid;
    const lines: string[] = [];
    if (pid) this.stopping.add(pid);
    if (force) {
      if (pid) {
        this.signal(pid, found.ours, "SIGKILL");
        lines.push(`sent SIGKILL to pid ${pid}`);
      }
    } else if (svc.stop) {
      const r = await execArgv(svc.stop, { timeoutMs: 30_000, cwd: svc.cwd, env: svc.env });
      lines.push(`stop: ${describeExit(svc.stop, r)}`, combinedOutput(r));
    } else if (pid) {
      this.signal(pid, found.ours, "SIGTERM");
      lines.push(`sent SIGTERM to pid ${pid}`);
    }
    if (!pid) {
      lines.push("it was not running");
    } else if (force) {
      lines.push(
        (await waitForExit(pid, 2_000)) ? `pid ${pid} exited` : `pid ${pid} did not exit after SIGKILL`,
      );
    } else if (!(await waitForExit(pid, this.opts.stopWaitMs ?? 5_000))) {
      this.signal(pid, found.ours, "SIGKILL");
      await waitForExit(pid, 2_000);
      lines.push(`pid ${pid} still alive after ${(this.opts.stopWaitMs ?? 5_000) / 1000} s: sent SIGKILL`);
    } else {
      lines.push(`pid ${pid} exited`);
    }
    this.opts.started.forget(svc.name);
    const gone = !pid || !isAlive(pid);
    return { lines: lines.filter(Boolean).join("\n"), gone };
  }

  private signal(pid: number, group: boolean, sig: NodeJS.Signals): void {
    try {
      process.kill(group ? -pid : pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  }

  private async start(svc: ServiceConfig, awaitCheck = true): Promise<Outcome> {
    const argv = svc.start as string[];
    if (!this.opts.logsDir)
      return { status: "failed", exitCode: null, output: "no state directory to start services from" };
    let pid: number;
    let logFile: string;
    try {
      const s = await startDetached(svc, this.opts.logsDir);
      ({ pid, logFile } = s);
      this.children.add(pid);
      s.child.on("exit", (code, signal) => {
        this.children.delete(pid);
        this.exitCodes.set(pid, code);
        if (this.stopping.delete(pid)) return;
        this.opts.onExit?.(svc.name, pid, code, signal);
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return {
        status: "failed",
        exitCode: null,
        output: `could not start ${argv[0]}: ${e.code ?? e.message}`,
      };
    }
    this.opts.started.remember(svc.name, pid);
    const settleMs = this.opts.settleMs ?? 500;
    await sleep(settleMs);
    if (isAlive(pid)) {
      const ready = awaitCheck ? await this.waitForCheck(svc, pid) : "";
      return { status: "succeeded", exitCode: 0, output: `started pid ${pid}: ${argv.join(" ")}${ready}` };
    }
    this.opts.started.forget(svc.name);
    const code = this.exitCodes.get(pid) ?? null;
    return {
      status: "failed",
      exitCode: code,
      output: `started pid ${pid} but it exited within ${settleMs} ms (code ${code}); end of ${logFile}:\n${tail(logFile)}`,
    };
  }

  /** A restart succeeds once the new process is alive; this only tells whether its check passes yet. */
  private async waitForCheck(svc: ServiceConfig, pid: number): Promise<string> {
    if (!svc.check) return "";
    const deadline = Date.now() + (this.opts.checkWaitMs ?? 5_000);
    for (;;) {
      const c = await runCheck(svc.check);
      if (c.ok) return `\ncheck passed: ${c.detail}`;
      if (Date.now() >= deadline || !isAlive(pid)) return `\ncheck not passing yet: ${c.detail}`;
      await sleep(200);
    }
  }
}

function tail(file: string): string {
  try {
    return truncateTail(readFileSync(file, "utf8").trimEnd(), 1500);
  } catch {
    return "(no log)";
  }
}
