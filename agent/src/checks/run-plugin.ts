/**
 * Runs one plugin: argv from the local config, no shell, in its own process group so a timeout
 * kills the plugin and whatever it started (a check_by_ssh, a shell pipeline), as does its exit.
 * A timeout or a
 * program that cannot start is UNKNOWN, as Nagios treats them.
 */
import { spawn } from "node:child_process";
import { type PluginReading, readPlugin } from "./nagios";

const MAX_OUTPUT = 16 * 1024;

export function runPlugin(argv: readonly string[], timeoutMs: number): Promise<PluginReading> {
  return new Promise((resolve) => {
    let stdout = "";
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (r: PluginReading) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup();
      resolve(r);
    };
    // a check leaves nothing behind: what is still in its group once it is read is killed
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is gone already: the usual case
      }
    };
    const unknown = (text: string): PluginReading => ({ status: "unknown", code: 3, text, perf: [] });
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      shell: false,
      // plugins print in English and with "." decimals only under the C locale
      env: { ...process.env, LC_ALL: "C" },
    });
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += c.toString("utf8");
    });
    timer = setTimeout(() => finish(unknown(`${argv[0]} timed out after ${timeoutMs} ms`)), timeoutMs);
    child.on("error", (err: NodeJS.ErrnoException) =>
      finish(unknown(`could not run ${argv[0]}: ${err.code ?? err.message}`)),
    );
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      const out = stdout.trim() ? stdout : stderr;
      const reading = readPlugin(signal ? null : code, out);
      if (!reading.text)
        reading.text = signal ? `${argv[0]} killed by ${signal}` : `${argv[0]} exited ${code}`;
      finish(reading);
    };
    child.on("close", done);
    // a plugin that exits leaving a child on its stdout is read at its exit, as Nagios does
    child.on("exit", (code, signal) => setTimeout(() => done(code, signal), 200).unref());
  });
}
