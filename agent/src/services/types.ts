import type { ServiceConfig } from "../config/schema";

/** What a driver sees of a service, before any configured health check. */
export interface Probe {
  status: "up" | "down" | "unknown";
  detail?: string;
  pid?: number;
  /** A down service's last output lines, when the agent has its log. */
  logTail?: string[];
}

/** What a restart came to; the action layer turns it into a protocol result. */
export interface Outcome {
  status: "succeeded" | "failed" | "timed_out";
  exitCode: number | null;
  output: string;
}

export interface ServiceDriver {
  probe(svc: ServiceConfig): Promise<Probe>;
  restart(svc: ServiceConfig): Promise<Outcome>;
  /** SIGKILL, then start: for a service that hangs and ignores a polite stop. */
  forceRestart(svc: ServiceConfig): Promise<Outcome>;
  stop(svc: ServiceConfig): Promise<Outcome>;
}
