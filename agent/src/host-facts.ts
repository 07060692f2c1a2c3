/** What the agent tells the server about its host when it enrolls. */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { HostFacts } from "../protocol";
import { truncateHead } from "./util";
import { AGENT_VERSION } from "./version";

function osName(): string {
  if (process.platform === "linux") {
    try {
      const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
      if (pretty?.[1]) return pretty[1];
    } catch {
      // no os-release: fall back to the kernel name
    }
  }
  return os.type();
}

export function hostFacts(): HostFacts {
  return {
    hostname: truncateHead(os.hostname(), 255),
    os: truncateHead(osName(), 128),
    platform: process.platform,
    arch: process.arch,
    release: truncateHead(os.release(), 128),
    cpus: Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    memTotalBytes: os.totalmem(),
    agentVersion: AGENT_VERSION,
  };
}
