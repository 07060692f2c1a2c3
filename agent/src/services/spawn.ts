/**
 * Starts a process service from its configured argv: detached in its own process group (so it
 * outlives an agent restart and a Ctrl-C to the agent), no shell, output appended to
 * <stateDir>/logs/<name>.log.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import path from "node:path";
import type { ServiceConfig } from "../config/schema";

export interface Started {
  pid: number;
  child: ChildProcess;
  logFile: string;
}

export function startDetached(svc: ServiceConfig, logsDir: string): Promise<Started> {
  const argv = svc.start;
  if (!argv) return Promise.reject(new Error(`service ${svc.name} has no start command`));
  const logFile = path.join(logsDir, `${svc.name}.log`);
  const fd = openSync(logFile, "a", 0o600);
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0], argv.slice(1), {
        cwd: svc.cwd,
        env: { ...process.env, ...svc.env },
        stdio: ["ignore", fd, fd],
        detached: true,
        shell: false,
      });
    } catch (err) {
      closeSync(fd);
      reject(err);
      return;
    }
    closeSync(fd); // the child has its own copy

    child.once("error", reject);
    child.once("spawn", () => {
      child.off("error", reject);
      child.on("error", () => {});
      child.unref();
      resolve({ pid: child.pid as number, child, logFile });
    });
  });
}
