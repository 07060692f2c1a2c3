/** Everything the agent keeps on disk lives under one private directory. */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import path from "node:path";

export interface StatePaths {
  root: string;
  token: string;
  /** The host's Ed25519 private key (PKCS8 PEM, 0600): its identity towards the edge. */
  key: string;
  journal: string;
  logs: string;
  run: string;
  /** Services stopped on purpose (stop_service, emergency_shutdown). */
  stopped: string;
  /** Known-good config snapshots and the files reset_config replaced. */
  configs: string;
  backups: string;
}

export function statePaths(root: string): StatePaths {
  return {
    root,
    token: path.join(root, "agent-token.json"),
    key: path.join(root, "host-key.pem"),
    journal: path.join(root, "commands.jsonl"),
    logs: path.join(root, "logs"),
    run: path.join(root, "run"),
    stopped: path.join(root, "stopped.json"),
    configs: path.join(root, "configs"),
    backups: path.join(root, "backups"),
  };
}

/** Creates the state directory (mode 0700) and its subfolders. */
export function ensureStateDir(root: string): StatePaths {
  const paths = statePaths(root);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  mkdirSync(paths.run, { recursive: true, mode: 0o700 });
  mkdirSync(paths.configs, { recursive: true, mode: 0o700 });
  mkdirSync(paths.backups, { recursive: true, mode: 0o700 });
  return paths;
}

/** Writes a file so that a crash leaves either the old or the new content, never half of one. */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    if (typeof data === "string") writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
