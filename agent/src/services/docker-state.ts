/**
 * A container's state as `docker inspect -f '{{json .State}}'` prints it (the Engine API's
 * ContainerState): running or not, its main pid, and its HEALTHCHECK status, which counts as the
 * service's check: unhealthy is down, with the probe's last output as the reason.
 */
import type { Probe } from "./types";

interface HealthLog {
  ExitCode?: number;
  Output?: string;
}
export interface ContainerState {
  Status?: string;
  Running?: boolean;
  Restarting?: boolean;
  OOMKilled?: boolean;
  Pid?: number;
  ExitCode?: number;
  Error?: string;
  Health?: { Status?: string; FailingStreak?: number; Log?: HealthLog[] | null };
}

const oneLine = (s: string) => s.trim().replace(/\s+/g, " ").slice(0, 200);

export function probeFromState(name: string, state: ContainerState): Probe {
  const pid = state.Pid && state.Pid > 0 ? { pid: state.Pid } : {};
  if (!state.Running) {
    const why = [
      state.Status ?? "not running",
      state.ExitCode ? `exit ${state.ExitCode}` : "",
      state.OOMKilled ? "OOM-killed" : "",
      state.Error ? oneLine(state.Error) : "",
    ].filter(Boolean);
    return { status: "down", detail: `container ${name} not running (${why.join(", ")})` };
  }
  const health = state.Health?.Status;
  if (health === "unhealthy") {
    const last = state.Health?.Log?.at(-1);
    const output = last?.Output ? `: ${oneLine(last.Output)}` : "";
    const streak = state.Health?.FailingStreak ? ` (${state.Health.FailingStreak} failing checks)` : "";
    return { status: "down", detail: `container ${name} unhealthy${streak}${output}`, ...pid };
  }
  // "starting": the health check has not passed yet; a restart now would only start it again.
  const what = health === "healthy" ? "healthy" : health ? `running, health ${health}` : "running";
  return { status: "up", detail: `container ${name} ${what}`, ...pid };
}
