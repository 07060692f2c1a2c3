/** Runs an argv from the local config: never through a shell, always with a time limit. */
import { spawn } from "node:child_process";

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES ...). */
  spawnError?: NodeJS.ErrnoException;
}

export interface ExecOptions {
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
  maxOutput?: number;
}

export function execArgv(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const max = opts.maxOutput ?? 64 * 1024;
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: ["ignore", "pipe", "pipe"],
      shell: false,
    });
    const keep = (acc: string, chunk: Buffer) => (acc + chunk.toString("utf8")).slice(-max);
    child.stdout.on("data", (c: Buffer) => {
      stdout = keep(stdout, c);
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr = keep(stderr, c);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    const finish = (r: Partial<ExecResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr, timedOut, ...r });
    };
    child.on("error", (err: NodeJS.ErrnoException) => finish({ spawnError: err }));
    child.on("close", (code, signal) => finish({ code, signal }));
  });
}

/** stdout and stderr together, for a result's output. */
export const combinedOutput = (r: ExecResult): string =>
  [r.stdout.trim(), r.stderr.trim()].filter(Boolean).join("\n");

export function describeExit(argv: readonly string[], r: ExecResult): string {
  if (r.spawnError) return `could not run ${argv[0]}: ${r.spawnError.code ?? r.spawnError.message}`;
  if (r.timedOut) return `${argv[0]} timed out`;
  return r.signal ? `${argv[0]} killed by ${r.signal}` : `${argv[0]} exited ${r.code}`;
}
