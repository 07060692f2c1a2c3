/**
 * The hand-off of a queued command to the agent waiting on its host's object
 * (worker/objects/host/delivery.ts): the writer hands the rows it wrote with its wake-up, and the
 * object sends them at once, then records the delivery in D1 on the claim's own conditions.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Command } from "../../agent/protocol";
import type { HandedCommand } from "../../worker/objects/host/delivery";
import { awaitingRecover, down, recover } from "./support/awaiting-recover";
import { openSocket } from "./support/command-socket";
import { type Agent, hostStub, json, must, result, sql, type Tenant } from "./support/harness";

const row = async (id: string) =>
  must((await sql("SELECT status, delivered_at, finished_at, output FROM commands WHERE id = ?", id))[0]);

/** What the writer that queued `command` hands its host's object: the row as it wrote it, pending. */
function asHanded(t: Tenant, agent: Agent, command: Command): HandedCommand {
  const expiresAt = Date.parse(command.expiresAt);
  return {
    id: command.id,
    orgId: t.orgId,
    hostId: agent.hostId,
    issueId: command.issueId ?? null,
    status: "pending",
    action: command.action,
    target: command.target ?? null,
    params: null,
    createdAt: expiresAt - 5 * 60_000,
    expiresAt,
  };
}

/**
 * A command queued while no agent waited, which the host's report then took: as if that report ran
 * between the writer's D1 batch and its hand-off.
 */
async function claimedByReport() {
  const { t, agent, issueId } = await awaitingRecover();
  const queued = await recover(t, issueId);
  // no agent waited: it stays pending, exactly as before the hand-off
  expect((await row(queued.commandId)).status).toBe("pending");
  const [command] = (await agent.report({ services: down })).commands;
  expect(command.id).toBe(queued.commandId);
  const claimed = await row(command.id);
  expect(claimed.status).toBe("delivered");
  return { t, agent, command, claimed };
}

describe("a command handed to the host's object with its wake-up", () => {
  it("goes down the open socket as handed, before D1 is asked: even one a report claimed a moment before", async () => {
    const { t, agent, command, claimed } = await claimedByReport();
    const { ws, received } = await openSocket(agent);
    await hostStub(agent.hostId).changed([asHanded(t, agent, command)]);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0].map((c) => c.id)).toEqual([command.id]);
    // the record after the send moved nothing: the report's delivery stands as it was
    expect(await row(command.id)).toEqual(claimed);
    ws.close(1000, "done");
  });

  it("racing a report that claimed it, goes out once more at most, and its result is recorded once", async () => {
    const { t, agent, command } = await claimedByReport();
    const { ws, received } = await openSocket(agent);
    const handed = asHanded(t, agent, command);
    await Promise.all([hostStub(agent.hostId).changed([handed]), agent.report({ services: down })]);
    await expect.poll(() => received.length).toBe(1);
    // the agent's journal runs the id once and sends one result; a copy of it changes nothing
    const done = result(command.id, "succeeded");
    await agent.report({ services: down, results: [done] });
    await agent.report({ services: down, results: [{ ...done, status: "failed", output: "second" }] });
    const finished = await row(command.id);
    expect(finished).toMatchObject({ status: "succeeded", output: "succeeded" });
    const history = await sql("SELECT status FROM recovery_history WHERE command_id = ?", command.id);
    expect(history.map((h) => h.status)).toEqual(["succeeded"]);
    // answered: neither the alarm nor a later report sends it a third time
    await runDurableObjectAlarm(hostStub(agent.hostId));
    expect((await agent.report({ services: down })).commands).toEqual([]);
    expect(received.flat().map((c) => c.id)).toEqual([command.id]);
    expect(await row(command.id)).toEqual(finished);
    ws.close(1000, "done");
  });

  it("is not sent again when the object's own claim took it first (a socket opening after the writer's batch)", async () => {
    const { t, agent, issueId } = await awaitingRecover();
    const queued = await recover(t, issueId);
    // the socket opens before the writer's hand-off arrives: its push claims the command and sends it
    const { ws, received } = await openSocket(agent);
    await expect.poll(() => received.length).toBe(1);
    const claimed = await row(queued.commandId);
    expect(claimed.status).toBe("delivered");
    const [command] = received[0];
    await hostStub(agent.hostId).changed([asHanded(t, agent, command)]);
    expect((await agent.report({ services: down })).commands).toEqual([]);
    expect(received.flat().map((c) => c.id)).toEqual([queued.commandId]);
    expect(await row(queued.commandId)).toEqual(claimed);
    ws.close(1000, "done");
  });

  it("answers a held long-poll at once with the handed command, not at the end of its wait", async () => {
    const { t, agent, command, claimed } = await claimedByReport();
    const started = Date.now();
    const waiting = json<{ commands: Command[] }>("/api/v1/agent/commands?wait=3", { token: agent.token });
    await expect.poll(() => hostStub(agent.hostId).waiting(), { timeout: 2500 }).toBe(1);
    await hostStub(agent.hostId).changed([asHanded(t, agent, command)]);
    const { commands } = await waiting;
    expect(commands.map((c) => c.id)).toEqual([command.id]);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await row(command.id)).toEqual(claimed);
  });

  it("gives a long-poll a command queued through the API, and records its delivery before the writer answers", async () => {
    const { t, agent, issueId } = await awaitingRecover();
    const waiting = json<{ commands: Command[] }>("/api/v1/agent/commands?wait=10", { token: agent.token });
    await expect.poll(() => hostStub(agent.hostId).waiting(), { timeout: 5000 }).toBe(1);
    const queued = await recover(t, issueId);
    expect((await row(queued.commandId)).status).toBe("delivered");
    expect((await waiting).commands.map((c) => c.id)).toEqual([queued.commandId]);
    // delivered once: neither a report nor the next long-poll hands it out again
    expect((await agent.report({ services: down })).commands).toEqual([]);
    expect(
      (await json<{ commands: Command[] }>("/api/v1/agent/commands?wait=0", { token: agent.token })).commands,
    ).toEqual([]);
  });
});
