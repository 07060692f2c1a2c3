/**
 * Exactly-once commands on the edge: a command whose answer was lost is handed out again (the agent's journal
 * keeps it from running twice), results and samples are idempotent, gaps are recorded once.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Command, canonicalCommand } from "../../agent/protocol";
import { REDELIVER_AFTER_MS } from "../../worker/services/ingest/agent-commands";
import { signCommands } from "../../worker/services/ingest/command-signing";
import {
  type Agent,
  call,
  json,
  newTenant,
  result,
  sample,
  service,
  sql,
  storedSamples,
  type Tenant,
} from "./support/harness";

const down = [service("nginx", "down", { detail: "inactive (dead)" })];

/** A host whose report just got a restart command (delivered, no result yet). */
async function delivered(): Promise<{ t: Tenant; agent: Agent; command: Command }> {
  const t = await newTenant();
  const agent = await t.enroll();
  const [command] = (await agent.report({ services: down })).commands;
  expect(command?.action).toBe("restart_service");
  return { t, agent, command };
}

/** As if the command went out `ms` ago. */
const deliveredAgo = (id: string, ms: number) =>
  sql("UPDATE commands SET delivered_at = ? WHERE id = ?", Date.now() - ms, id);
const statusOf = async (id: string) => (await sql("SELECT status FROM commands WHERE id = ?", id))[0]?.status;

describe("re-delivery of a command whose answer was lost", () => {
  it("is not repeated while a result may still be on its way", async () => {
    const { agent } = await delivered();
    expect((await agent.report({ services: down })).commands).toEqual([]);
  });

  it("hands it out again, with the same id, once no result came within the re-delivery delay", async () => {
    const { agent, command } = await delivered();
    await deliveredAgo(command.id, REDELIVER_AFTER_MS + 1000);
    const again = (await agent.report({ services: down })).commands;
    expect(again.map((c) => c.id)).toEqual([command.id]);
    expect(await statusOf(command.id)).toBe("delivered");
    // and once it is answered, never again
    await agent.report({ services: down, results: [result(command.id, "succeeded")] });
    await deliveredAgo(command.id, REDELIVER_AFTER_MS + 1000);
    expect((await agent.report({ services: down })).commands).toEqual([]);
    expect(await statusOf(command.id)).toBe("succeeded");
  });

  it("hands it out again through the long-poll too, to one caller only", async () => {
    const { agent, command } = await delivered();
    await deliveredAgo(command.id, REDELIVER_AFTER_MS + 1000);
    const poll = () => json<{ commands: Command[] }>("/api/v1/agent/commands?wait=0", { token: agent.token });
    const [a, b] = await Promise.all([poll(), poll()]);
    expect([...a.commands, ...b.commands].map((c) => c.id)).toEqual([command.id]);
  });

  it("stops at expiry: an expired delivered command is not handed out again", async () => {
    const { agent, command } = await delivered();
    await sql("UPDATE commands SET expires_at = ? WHERE id = ?", Date.now() - 1, command.id);
    await deliveredAgo(command.id, REDELIVER_AFTER_MS + 1000);
    expect((await agent.report({ services: down })).commands).toEqual([]);
  });
});

describe("idempotent reports", () => {
  it("keeps the first result of a command: a re-sent or conflicting one changes nothing", async () => {
    const { t, agent, command } = await delivered();
    const first = result(command.id, "succeeded");
    await agent.report({ services: down, results: [first, result(command.id, "failed")] });
    await agent.report({ services: down, results: [first] });
    await agent.report({ services: down, results: [result(command.id, "failed")] });
    expect(await statusOf(command.id)).toBe("succeeded");
    const history = (await t.history(`?host=${agent.hostId}`)).filter((h) => h.commandId === command.id);
    expect(history.map((h) => h.status)).toEqual(["succeeded"]);
  });

  it("ignores an older agent's 'duplicate command' answer to a re-delivery, and takes the real one", async () => {
    const { agent, command } = await delivered();
    const dup = { ...result(command.id, "refused"), output: "duplicate command" };
    await agent.report({ services: down, results: [dup] });
    expect(await statusOf(command.id)).toBe("delivered");
    await agent.report({ services: down, results: [result(command.id, "succeeded")] });
    expect(await statusOf(command.id)).toBe("succeeded");
  });

  it("stores a sample once however often a backfill re-sends it", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const batch = [sample({ cpu: 1 }, Date.now() - 3000), sample({ cpu: 2 }, Date.now() - 2000)];
    await agent.report({ samples: batch });
    await agent.report({ samples: batch });
    expect(await storedSamples(agent.hostId)).toBe(2);
  });
});

describe("gaps an agent reports", () => {
  const gap = { from: "2026-01-01T00:00:00.000Z", to: "2026-01-01T00:05:00.000Z", samples: 300 };

  it("records a gap once, widens it when a later report extends it, and lists it for the org only", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ gaps: [gap] } as never);
    await agent.report({ gaps: [gap] } as never);
    await agent.report({
      gaps: [{ ...gap, to: "2026-01-01T00:06:00.000Z", samples: 360, results: 1 }],
    } as never);
    const { items } = await json<{ items: unknown[] }>(`/api/v1/hosts/${agent.hostId}/gaps`, {
      token: t.admin,
    });
    expect(items).toEqual([
      {
        from: gap.from,
        to: "2026-01-01T00:06:00.000Z",
        samples: 360,
        results: 1,
        reportedAt: expect.any(String),
      },
    ]);
    const other = await newTenant();
    expect((await call(`/api/v1/hosts/${agent.hostId}/gaps`, { token: other.admin })).status).toBe(404);
  });

  it("refuses a malformed gap like any malformed report", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ gaps: [{ ...gap, samples: -1 }] } as never, 400);
  });
});

describe("command signing on the edge (workerd WebCrypto)", () => {
  it("signs the canonical encoding with Ed25519, verifiable with the public key", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const b64 = btoa(String.fromCharCode(...pkcs8));
    const cmd = {
      id: "cmd_1",
      action: "restart_service",
      target: "web",
      expiresAt: new Date().toISOString(),
    };
    const [signed] = await signCommands(b64, "host_1", [cmd]);
    const sig = Uint8Array.from(atob(signed.signature as string), (c) => c.charCodeAt(0));
    const data = new TextEncoder().encode(canonicalCommand(cmd, "host_1"));
    expect(await crypto.subtle.verify({ name: "Ed25519" }, pair.publicKey, sig, data)).toBe(true);
    const other = new TextEncoder().encode(canonicalCommand(cmd, "host_2"));
    expect(await crypto.subtle.verify({ name: "Ed25519" }, pair.publicKey, sig, other)).toBe(false);
    expect(await signCommands(undefined, "host_1", [cmd])).toEqual([cmd]);
    expect((env as { SELFHEAL_COMMAND_SIGNING_KEY?: string }).SELFHEAL_COMMAND_SIGNING_KEY).toBeUndefined();
  });
});
