import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { commandResultSchema, LIMITS } from "../../agent/protocol";
import { CommandJournal } from "../../agent/src/actions/journal";
import { ActionRegistry } from "../../agent/src/actions/registry";
import type { ActionHandler } from "../../agent/src/actions/types";
import { ServiceManager } from "../../agent/src/services";
import { ensureStateDir } from "../../agent/src/state-dir";
import { actionContext, cleanup, configFor, quietLog } from "./support/helpers";

afterEach(cleanup);

const later = () => new Date(Date.now() + 60_000).toISOString();
let seq = 0;
const cmd = (over: Record<string, unknown> = {}) => ({
  id: `cmd-${++seq}`,
  action: "restart_service",
  target: "web",
  expiresAt: later(),
  ...over,
});

/** A registry over a config with two systemd services, with a restart handler that only records. */
function setup(actions: Record<string, unknown>, handlers?: ActionHandler[]) {
  const config = configFor({
    services: [
      { name: "web", kind: "systemd" },
      { name: "db", kind: "systemd" },
    ],
    actions,
  });
  const paths = ensureStateDir(config.stateDir);
  const ran: string[] = [];
  const services = new ServiceManager(config.services, { log: quietLog });
  services.restart = async (name) => {
    ran.push(`restart ${name}`);
    return { status: "succeeded", exitCode: 0, output: `restarted ${name}` };
  };
  const context = actionContext(config, services, paths, {
    collectNow: async () => {
      ran.push("collect");
      return "collected a fresh sample: cpu 1";
    },
  });
  const make = () =>
    new ActionRegistry({ journal: new CommandJournal(paths.journal), context, handlers, timeoutMs: 300 });
  return { registry: make(), make, ran, paths };
}

describe("the action registry", () => {
  it("runs an enabled action on a configured service and reports a complete result", async () => {
    const { registry, ran } = setup({ restart_service: true });
    const c = cmd();
    const result = await registry.execute(c);
    expect(ran).toEqual(["restart web"]);
    expect(result).toMatchObject({
      commandId: c.id,
      status: "succeeded",
      exitCode: 0,
      output: "restarted web",
    });
    expect(commandResultSchema.safeParse(result).success).toBe(true);
    expect(result?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("refuses an action it has no handler for", async () => {
    const { registry, ran } = setup({ restart_service: true });
    const result = await registry.execute(cmd({ action: "reboot_host" }));
    expect(result).toMatchObject({
      status: "refused",
      output: "unknown action reboot_host",
      exitCode: null,
    });
    expect(commandResultSchema.safeParse(result).success).toBe(true);
    expect(ran).toEqual([]);
  });

  it("refuses an action the config does not enable", async () => {
    const { registry, ran } = setup({ health_check: false });
    expect(await registry.execute(cmd())).toMatchObject({
      status: "refused",
      output: "action restart_service is not enabled in this agent's config",
    });
    expect(await registry.execute(cmd({ action: "health_check", target: undefined }))).toMatchObject({
      status: "refused",
      output: "action health_check is not enabled in this agent's config",
    });
    expect(ran).toEqual([]);
  });

  it("refuses a target that is not a configured service, or not in the action's list", async () => {
    const { registry, ran } = setup({ restart_service: { services: ["web"] } });
    expect((await registry.execute(cmd({ target: "../../etc/passwd" })))?.output).toBe(
      "unknown target ../../etc/passwd: not a service in this agent's config",
    );
    expect((await registry.execute(cmd({ target: "db" })))?.output).toBe(
      "action restart_service is not enabled for db in this agent's config",
    );
    expect((await registry.execute(cmd({ target: undefined })))?.status).toBe("refused");
    expect(ran).toEqual([]);
  });

  it("refuses an expired command", async () => {
    const { registry, ran } = setup({ restart_service: true });
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    const result = await registry.execute(cmd({ expiresAt }));
    expect(result).toMatchObject({ status: "refused", output: `command expired at ${expiresAt}` });
    expect(ran).toEqual([]);
  });

  it("never runs the same command id twice, even after the agent restarts", async () => {
    const { registry, make, ran } = setup({ restart_service: true });
    const c = cmd();
    expect((await registry.execute(c))?.status).toBe("succeeded");
    // no second result either: the first outcome is the one the edge must get
    expect(await registry.execute(c)).toBeUndefined();
    expect(await make().execute(c)).toBeUndefined();
    expect(ran).toEqual(["restart web"]);
  });

  it("records the command id on disk before acting", async () => {
    let seenOnDisk = false;
    const { paths, registry } = setup({ restart_service: true }, [
      {
        name: "restart_service",
        target: "service",
        run: async (c) => {
          seenOnDisk = readFileSync(paths.journal, "utf8").includes(`"id":"${c.id}"`);
          return { status: "succeeded", exitCode: 0, output: "" };
        },
      },
    ]);
    await registry.execute(cmd());
    expect(seenOnDisk).toBe(true);
  });

  it("finds commands an earlier run started and never finished", async () => {
    const { paths } = setup({ restart_service: true });
    new CommandJournal(paths.journal).recordStart("half-done", "restart_service", "web");
    expect(new CommandJournal(paths.journal).interrupted.map((e) => e.id)).toEqual(["half-done"]);
  });

  it("refuses a malformed command with an id, and ignores one without", async () => {
    const { registry, ran } = setup({ restart_service: true });
    const result = await registry.execute({ id: "bad-1", action: "restart_service", expiresAt: "yesterday" });
    expect(result).toMatchObject({ commandId: "bad-1", status: "refused" });
    expect(result?.output).toMatch(/^malformed command: expiresAt/);
    expect(await registry.execute({ action: "restart_service" })).toBeUndefined();
    expect(ran).toEqual([]);
  });

  it("reports an action that runs too long as timed out, and truncates long output", async () => {
    const { registry } = setup({ restart_service: true, health_check: true }, [
      { name: "restart_service", target: "service", run: () => new Promise(() => {}) },
      {
        name: "health_check",
        run: async () => ({ status: "failed", exitCode: 1, output: `${"x".repeat(10_000)}the end` }),
      },
    ]);
    expect((await registry.execute(cmd()))?.status).toBe("timed_out");
    const long = await registry.execute(cmd({ action: "health_check" }));
    expect(long?.output.length).toBeLessThanOrEqual(LIMITS.outputChars);
    expect(long?.output.endsWith("the end")).toBe(true);
  });

  it("health_check collects a fresh sample", async () => {
    const { registry, ran } = setup({});
    const result = await registry.execute(cmd({ action: "health_check", target: undefined }));
    expect(result).toMatchObject({ status: "succeeded", output: "collected a fresh sample: cpu 1" });
    expect(ran).toEqual(["collect"]);
  });
});
