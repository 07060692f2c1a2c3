/**
 * Hostile commands at the agent, command signing and exactly-once execution. Every
 * refusal is reported (a result with the command's id) and nothing runs.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Command, commandResultSchema } from "../../agent/protocol";
import { CommandJournal } from "../../agent/src/actions/journal";
import { ActionRegistry } from "../../agent/src/actions/registry";
import { generateSigningKeys, parseSigningKey, signatureProblem } from "../../agent/src/actions/signing";
import { main } from "../../agent/src/cli";
import { parseConfig } from "../../agent/src/config/schema";
import { ServiceManager } from "../../agent/src/services";
import { ensureStateDir } from "../../agent/src/state-dir";
import { signCommands } from "../../worker/services/ingest/command-signing";
import { actionContext, cleanup, configFor, quietLog } from "./support/helpers";

afterEach(cleanup);

const parseConfigSafe = (raw: Record<string, unknown>) => {
  try {
    parseConfig(raw);
    return "ok";
  } catch (err) {
    return (err as Error).message;
  }
};

const HOST = "host_abc";
const later = () => new Date(Date.now() + 60_000).toISOString();
let seq = 0;
const cmd = (over: Record<string, unknown> = {}): Command =>
  ({ id: `c-${++seq}`, action: "restart_service", target: "web", expiresAt: later(), ...over }) as Command;

/** A registry over one service and one script, recording what would run; optionally pinned to a key. */
function setup(publicKey?: string) {
  const config = configFor({
    services: [{ name: "web", kind: "systemd" }],
    scripts: { rotate: { command: ["/bin/true"] } },
    actions: { restart_service: true, run_script: true },
  });
  const paths = ensureStateDir(config.stateDir);
  const ran: string[] = [];
  const services = new ServiceManager(config.services, { log: quietLog });
  services.restart = async (name) => {
    ran.push(`restart ${name}`);
    return { status: "succeeded", exitCode: 0, output: "" };
  };
  const key = publicKey ? parseSigningKey(publicKey) : undefined;
  const make = () =>
    new ActionRegistry({
      journal: new CommandJournal(paths.journal),
      context: actionContext(config, services, paths),
      verify: key && ((c) => signatureProblem(c, HOST, key)),
    });
  return { registry: make(), make, ran, paths };
}

describe("hostile commands at the agent", () => {
  it.each([
    ["an extra field", { shell: "rm -rf /" }, /^malformed command: .*Unrecognized key/],
    ["a target that is not a string", { target: ["web"] }, /^malformed command: target/],
    ["an over-long target", { target: "w".repeat(200) }, /^malformed command: target/],
    ["params that are not flat values", { params: { argv: ["/bin/sh"] } }, /^malformed command: params/],
    ["an action named after an object property", { action: "constructor" }, /^unknown action constructor$/],
    [
      "a target named after an object property",
      { action: "run_script", target: "constructor" },
      /^unknown target/,
    ],
    ["a path as target", { target: "/etc/passwd" }, /^unknown target/],
  ])("refuses and reports %s", async (_, over, why) => {
    const { registry, ran } = setup();
    const c = cmd(over);
    const result = await registry.execute(c);
    expect(result).toMatchObject({ commandId: c.id, status: "refused" });
    expect(result?.output).toMatch(why);
    expect(commandResultSchema.safeParse(result).success).toBe(true);
    expect(ran).toEqual([]);
  });

  it.each([
    ["a string", "restart web"],
    ["null", null],
    ["an array", [cmd()]],
    ["a numeric id", { ...cmd(), id: 7 }],
    ["an id over 64 characters", { ...cmd(), id: "x".repeat(65) }],
  ])("ignores (and logs) %s, which has no id to report against", async (_, raw) => {
    const { registry, ran } = setup();
    expect(await registry.execute(raw)).toBeUndefined();
    expect(ran).toEqual([]);
  });
});

describe("command signing", () => {
  it("runs a command the edge signed for this host with the pinned key", async () => {
    const keys = generateSigningKeys();
    const { registry, ran } = setup(keys.publicKey);
    const [signed] = await signCommands(keys.privateKey, HOST, [cmd()]);
    expect(signed.signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect((await registry.execute(signed))?.status).toBe("succeeded");
    expect(ran).toEqual(["restart web"]);
  });

  it("refuses, and reports, an unsigned, re-targeted, other host's or other key's command", async () => {
    const keys = generateSigningKeys();
    const { registry, ran } = setup(keys.publicKey);
    const [forOtherHost] = await signCommands(keys.privateKey, "host_other", [cmd()]);
    const [byOtherKey] = await signCommands(generateSigningKeys().privateKey, HOST, [cmd()]);
    const [retargeted] = await signCommands(keys.privateKey, HOST, [
      cmd({ action: "run_script", target: "rotate" }),
    ]);
    const [longer] = await signCommands(keys.privateKey, HOST, [cmd()]);
    const cases = [
      [cmd(), /^unsigned command/],
      [forOtherHost, /^bad command signature/],
      [byOtherKey, /^bad command signature/],
      [{ ...retargeted, target: "web", action: "restart_service" }, /^bad command signature/],
      [{ ...longer, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, /^bad command signature/],
      [{ ...longer, id: "c-replayed", signature: "AAAA" }, /^bad command signature/],
    ] as const;
    for (const [c, why] of cases) {
      const result = await registry.execute(c);
      expect(result).toMatchObject({ commandId: c.id, status: "refused" });
      expect(result?.output).toMatch(why);
    }
    expect(ran).toEqual([]);
  });

  it("refuses a config key that is not an Ed25519 public key", () => {
    expect(parseConfigSafe({ commandSigningKey: "bm90IGEga2V5" })).toMatch(
      /commandSigningKey: not a base64 Ed25519/,
    );
    expect(parseConfigSafe({ commandSigningKey: generateSigningKeys().publicKey })).toBe("ok");
  });

  it("keygen prints a pair that works together", async () => {
    let out = "";
    const write = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out += String(s);
      return true;
    });
    expect(await main(["keygen"])).toBe(0);
    write.mockRestore();
    const pub = /^public (\S+)$/m.exec(out)?.[1] as string;
    const priv = /^private (\S+)$/m.exec(out)?.[1] as string;
    const [signed] = await signCommands(priv, HOST, [cmd()]);
    expect(signatureProblem(signed, HOST, parseSigningKey(pub))).toBeUndefined();
  });
});

describe("exactly once", () => {
  it("a command delivered again (a lost response) runs once and gets no second result", async () => {
    const { registry, make, ran } = setup();
    const c = cmd();
    expect((await registry.execute(c))?.status).toBe("succeeded");
    expect(await registry.execute(c)).toBeUndefined();
    expect(await make().execute(c)).toBeUndefined(); // after an agent restart too
    expect(ran).toEqual(["restart web"]);
  });

  it("a command the agent died in the middle of is found, and never runs again", async () => {
    const { make, ran, paths } = setup();
    const c = cmd();
    new CommandJournal(paths.journal).recordStart(c.id, c.action, c.target); // then the crash
    const journal = new CommandJournal(paths.journal);
    expect(journal.interrupted.map((e) => e.id)).toEqual([c.id]);
    expect(await make().execute(c)).toBeUndefined();
    expect(ran).toEqual([]);
  });

  it("refuses and reports an expired command, even a validly signed one", async () => {
    const keys = generateSigningKeys();
    const { registry, ran } = setup(keys.publicKey);
    const expiresAt = new Date(Date.now() - 1).toISOString();
    const [signed] = await signCommands(keys.privateKey, HOST, [cmd({ expiresAt })]);
    expect(await registry.execute(signed)).toMatchObject({
      status: "refused",
      output: `command expired at ${expiresAt}`,
    });
    expect(ran).toEqual([]);
  });
});
