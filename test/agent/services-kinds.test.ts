/**
 * launchd, Windows and Kubernetes services cannot run here: their handlers are proven against
 * stand-in launchctl, sc.exe, taskkill and kubectl that record the argv they receive and answer
 * in the real tools' formats from a state file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ServiceManager } from "../../agent/src/services";
import { cleanup, configFor, look, prependPath, quietLog, tempDir, writeScript } from "./support/helpers";

afterEach(cleanup);

let calls: string;
let state: string;

beforeEach(() => {
  const dir = tempDir();
  calls = path.join(dir, "calls.log");
  state = path.join(dir, "state");
  writeFileSync(calls, "");
  const record = (name: string) => `echo "${name} $*" >> "${calls}"\ns=$(cat "${state}")`;
  writeScript(
    dir,
    "launchctl",
    `${record("launchctl")}
case "$1" in
  print) [ "$s" = missing ] && { echo "Could not find service \\"$2\\" in domain for system" >&2; exit 113; }
         printf '%s = {\\n\\tactive count = 1\\n\\tstate = %s\\n\\tpid = 4321\\n}\\n' "$2" "$s"; exit 0 ;;
  kickstart) echo running > "${state}"; exit 0 ;;
  kill) [ "$2" = SIGTERM ] && echo "not running" > "${state}"; exit 0 ;;
esac
exit 64`,
  );
  writeScript(
    dir,
    "sc.exe",
    `${record("sc.exe")}
case "$1" in
  query) [ "$s" = missing ] && { echo "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:"; exit 36; }
         printf 'SERVICE_NAME: %s\\n        TYPE               : 20  WIN32_SHARE_PROCESS\\n        STATE              : 4  %s\\n' "$2" "$s"; exit 0 ;;
  stop) [ "$s" = STOPPED ] && { echo "[SC] ControlService FAILED 1062:"; exit 1; }
        echo STOPPED > "${state}"; exit 0 ;;
  start) echo RUNNING > "${state}"; exit 0 ;;
esac
exit 64`,
  );
  writeScript(dir, "taskkill", `${record("taskkill")}\necho STOPPED > "${state}"`);
  writeScript(
    dir,
    "kubectl",
    `${record("kubectl")}
for a in "$@"; do case "$a" in
  get) case "$s" in
         unreachable) echo "The connection to the server localhost:8080 was refused" >&2; exit 1 ;;
         gone) echo 'Error from server (NotFound): deployments.apps "web" not found' >&2; exit 1 ;;
       esac
       echo "$s"; exit 0 ;;
  rollout) echo 3/3 > "${state}"; exit 0 ;;
  delete|wait) echo "Running Running" > "${state}"; exit 0 ;;
  scale) echo /0 > "${state}"; exit 0 ;;
esac; done
exit 64`,
  );
  prependPath(dir);
});

const setState = (s: string) => writeFileSync(state, `${s}\n`);
const recorded = () => readFileSync(calls, "utf8").trim().split("\n").filter(Boolean);
const manager = (services: unknown[]) =>
  new ServiceManager(configFor({ services }).services, { log: quietLog });

describe("launchd services", () => {
  it("are up when launchctl print says running, down when not running or not loaded", async () => {
    const m = manager([{ name: "web", kind: "launchd", label: "com.example.web" }]);
    setState("running");
    expect(await look(m, "web")).toMatchObject({ status: "up", kind: "launchd", pid: 4321 });
    setState("not running");
    expect(await look(m, "web")).toMatchObject({
      status: "down",
      detail: "system/com.example.web not running",
    });
    setState("missing");
    expect((await look(m, "web")).detail).toContain("Could not find service");
    expect(recorded()[0]).toBe("launchctl print system/com.example.web");
  });

  it("are restarted with launchctl kickstart -k, force-restarted with kill SIGKILL then kickstart, stopped with kill SIGTERM", async () => {
    const m = manager([{ name: "web", kind: "launchd", label: "com.example.web", domain: "gui/501" }]);
    setState("not running");
    expect(await m.restart("web")).toMatchObject({ status: "succeeded" });
    expect(await m.forceRestart("web")).toMatchObject({ status: "succeeded" });
    expect(await m.stop("web")).toMatchObject({ status: "succeeded" });
    expect(recorded().filter((l) => !l.includes(" print "))).toEqual([
      "launchctl kickstart -k gui/501/com.example.web",
      "launchctl kill SIGKILL gui/501/com.example.web",
      "launchctl kickstart gui/501/com.example.web",
      "launchctl kill SIGTERM gui/501/com.example.web",
    ]);
  });
});

describe("windows services", () => {
  it("are up when sc.exe query says RUNNING, down when STOPPED or missing", async () => {
    const m = manager([{ name: "iis", kind: "windows", serviceName: "W3SVC" }]);
    setState("RUNNING");
    expect(await look(m, "iis")).toMatchObject({ status: "up", detail: "W3SVC running" });
    setState("STOPPED");
    expect(await look(m, "iis")).toMatchObject({ status: "down", detail: "W3SVC stopped" });
    setState("missing");
    expect(await look(m, "iis")).toMatchObject({ status: "down", detail: "W3SVC: no such service" });
    setState("START_PENDING");
    expect((await look(m, "iis")).status).toBe("unknown");
  });

  it("are restarted with sc.exe stop then start, each waited for; an already stopped one just starts", async () => {
    const m = manager([{ name: "iis", kind: "windows", serviceName: "W3SVC" }]);
    setState("RUNNING");
    expect(await m.restart("iis")).toMatchObject({ status: "succeeded" });
    const acts = () => recorded().filter((l) => !l.includes(" query "));
    expect(acts()).toEqual(["sc.exe stop W3SVC", "sc.exe start W3SVC"]);
    setState("STOPPED");
    expect(await m.restart("iis")).toMatchObject({ status: "succeeded" });
    expect(acts().slice(2)).toEqual(["sc.exe stop W3SVC", "sc.exe start W3SVC"]);
  });

  it("are force-restarted with taskkill on the service's process, then sc.exe start", async () => {
    const m = manager([{ name: "iis", kind: "windows", serviceName: "W3SVC" }]);
    setState("RUNNING");
    expect(await m.forceRestart("iis")).toMatchObject({ status: "succeeded" });
    expect(recorded().filter((l) => !l.includes(" query "))).toEqual([
      "taskkill /F /FI SERVICES eq W3SVC",
      "sc.exe start W3SVC",
    ]);
  });
});

describe("kubernetes services", () => {
  const deployment = {
    name: "web",
    kind: "kubernetes",
    context: "prod",
    namespace: "shop",
    deployment: "web",
  };

  it("are up when every replica of the deployment is available, down otherwise, unknown without a cluster", async () => {
    const m = manager([deployment]);
    setState("3/3");
    expect(await look(m, "web")).toMatchObject({ status: "up", detail: "deployment web 3/3 available" });
    setState("1/3");
    expect((await look(m, "web")).status).toBe("down");
    setState("gone");
    expect((await look(m, "web")).status).toBe("down");
    setState("unreachable");
    expect((await look(m, "web")).status).toBe("unknown");
    expect(recorded()[0]).toBe(
      "kubectl --context prod --namespace shop get deployment web -o jsonpath={.status.availableReplicas}/{.spec.replicas}",
    );
  });

  it("are restarted with rollout restart and rollout status in the configured context; stopped by scaling to 0", async () => {
    const m = manager([deployment]);
    setState("1/3");
    expect(await m.restart("web")).toMatchObject({ status: "succeeded" });
    expect(await m.stop("web")).toMatchObject({ status: "succeeded" });
    expect(recorded().filter((l) => !l.includes(" get "))).toEqual([
      "kubectl --context prod --namespace shop rollout restart deployment/web",
      "kubectl --context prod --namespace shop rollout status deployment/web --timeout=120s",
      "kubectl --context prod --namespace shop scale deployment/web --replicas=0",
    ]);
  });

  it("given a pod selector, are restarted by deleting the pods and waiting for new ones to be Ready", async () => {
    const m = manager([{ name: "api", kind: "kubernetes", context: "prod", selector: "app=api" }]);
    setState("Running Pending");
    expect((await look(m, "api")).status).toBe("down");
    expect(await m.forceRestart("api")).toMatchObject({ status: "succeeded" });
    expect((await look(m, "api")).detail).toBe("2/2 pods running (app=api)");
    expect(recorded().filter((l) => !l.includes(" get "))).toEqual([
      "kubectl --context prod delete pods -l app=api --grace-period=0 --force",
      "kubectl --context prod wait --for=condition=Ready pods -l app=api --timeout=120s",
    ]);
  });

  it("need a deployment or a selector, and each kind takes only its own keys", () => {
    expect(() => configFor({ services: [{ name: "w", kind: "kubernetes", context: "prod" }] })).toThrow(
      /needs deployment or selector/,
    );
    expect(() => configFor({ services: [{ name: "w", kind: "systemd", deployment: "w" }] })).toThrow(
      /only kubernetes services take deployment/,
    );
    expect(() => configFor({ services: [{ name: "w", kind: "windows", label: "x" }] })).toThrow(
      /only launchd services take label/,
    );
  });
});
