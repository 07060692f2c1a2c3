/**
 * Kubernetes workloads through kubectl, always with the configured --context and --namespace.
 * A `deployment` is up when all its replicas are available; restart is `rollout restart` then
 * `rollout status`; force restart deletes its pods (by `selector`) at once; stop scales it to 0.
 * With only a `selector`, the pods are the service: up when all are Running and ready; restart
 * deletes them (their controller makes new ones) and waits for Ready.
 * Proven only against a stand-in kubectl in the tests, not against a cluster.
 */
import type { ServiceConfig } from "../config/schema";
import { bestEffort, stepThenProbe } from "./cli-step";
import { describeExit, execArgv } from "./exec";
import type { Outcome, Probe, ServiceDriver } from "./types";

const ROLLOUT_SECONDS = 120;

function kubectl(svc: ServiceConfig, ...args: string[]): string[] {
  return [
    "kubectl",
    ...(svc.context ? ["--context", svc.context] : []),
    ...(svc.namespace ? ["--namespace", svc.namespace] : []),
    ...args,
  ];
}

async function probe(svc: ServiceConfig): Promise<Probe> {
  const argv = svc.deployment
    ? kubectl(
        svc,
        "get",
        "deployment",
        svc.deployment,
        "-o",
        "jsonpath={.status.availableReplicas}/{.spec.replicas}",
      )
    : kubectl(
        svc,
        "get",
        "pods",
        "-l",
        svc.selector as string,
        "-o",
        'jsonpath={range .items[*]}{.status.phase}{" "}{end}',
      );
  const r = await execArgv(argv, { timeoutMs: 15_000 });
  if (r.spawnError || r.timedOut) return { status: "unknown", detail: describeExit(["kubectl"], r) };
  const out = r.stdout.trim();
  if (r.code !== 0) {
    const err = (r.stderr.trim() || out || `exit ${r.code}`).split("\n")[0];
    // a workload that is gone is down; a cluster we cannot reach tells us nothing about it
    return /NotFound|not found/i.test(err)
      ? { status: "down", detail: err }
      : { status: "unknown", detail: `kubectl get: ${err}` };
  }
  if (svc.deployment) {
    const [available, wanted] = out.split("/").map((n) => Number(n || 0));
    const detail = `deployment ${svc.deployment} ${available}/${wanted} available`;
    return wanted > 0 && available >= wanted ? { status: "up", detail } : { status: "down", detail };
  }
  const phases = out.split(/\s+/).filter(Boolean);
  const running = phases.filter((p) => p === "Running").length;
  const detail = `${running}/${phases.length} pods running (${svc.selector})`;
  return phases.length > 0 && running === phases.length
    ? { status: "up", detail }
    : { status: "down", detail };
}

function restart(svc: ServiceConfig): Promise<Outcome> {
  if (svc.deployment) {
    const target = `deployment/${svc.deployment}`;
    return bestEffort(kubectl(svc, "rollout", "restart", target), 30_000).then((asked) =>
      stepThenProbe(
        kubectl(svc, "rollout", "status", target, `--timeout=${ROLLOUT_SECONDS}s`),
        (ROLLOUT_SECONDS + 10) * 1000,
        () => probe(svc),
        "up",
        [asked],
      ),
    );
  }
  return deletePods(svc, []);
}

async function deletePods(svc: ServiceConfig, extra: string[]): Promise<Outcome> {
  const selector = svc.selector as string;
  const deleted = await bestEffort(kubectl(svc, "delete", "pods", "-l", selector, ...extra), 60_000);
  return stepThenProbe(
    kubectl(svc, "wait", "--for=condition=Ready", "pods", "-l", selector, `--timeout=${ROLLOUT_SECONDS}s`),
    (ROLLOUT_SECONDS + 10) * 1000,
    () => probe(svc),
    "up",
    [deleted],
  );
}

function forceRestart(svc: ServiceConfig): Promise<Outcome> {
  // without a selector there is no set of pods to kill: a rollout restart is the strongest step
  return svc.selector ? deletePods(svc, ["--grace-period=0", "--force"]) : restart(svc);
}

async function stop(svc: ServiceConfig): Promise<Outcome> {
  if (!svc.deployment)
    return {
      status: "failed",
      exitCode: null,
      output: "stopping needs a deployment to scale to 0 (pods alone come back)",
    };
  return stepThenProbe(
    kubectl(svc, "scale", `deployment/${svc.deployment}`, "--replicas=0"),
    60_000,
    () => probe(svc),
    "down",
  );
}

export const kubernetesDriver: ServiceDriver = { probe, restart, forceRestart, stop };
