import type { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { AgentCommandsSchema } from "../../worker/schemas/recovery";
import { awaitingRecover, down, recover } from "./support/awaiting-recover";
import { type Agent, call, expectError, json } from "./support/harness";

type Polled = z.infer<typeof AgentCommandsSchema>;

const poll = (agent: Agent, wait: number) =>
  json<Polled>(`/api/v1/agent/commands?wait=${wait}`, { token: agent.token });

describe("GET /api/v1/agent/commands (long-poll)", () => {
  it("hands over a command queued between reports at once, and the next report does not repeat it", async () => {
    const { t, agent, issueId } = await awaitingRecover();
    const queued = await recover(t, issueId);
    const { commands } = await poll(agent, 5);
    expect(commands).toEqual([
      {
        id: queued.commandId,
        action: "restart_service",
        target: "nginx",
        issueId,
        expiresAt: expect.any(String),
      },
    ]);
    expect((await agent.report({ services: down })).commands).toEqual([]);
    expect((await poll(agent, 0)).commands).toEqual([]);
  });

  it("holds the request until a command is queued, then answers with it", async () => {
    const { t, agent, issueId } = await awaitingRecover();
    const waiting = poll(agent, 15);
    await new Promise((r) => setTimeout(r, 600));
    const queued = await recover(t, issueId);
    const { commands } = await waiting;
    expect(commands.map((c) => c.id)).toEqual([queued.commandId]);
  });

  it("answers with no commands once the wait is over", async () => {
    const { agent } = await awaitingRecover();
    expect(await poll(agent, 1)).toEqual({ commands: [] });
  });

  it("delivers a command once when two long-polls and a report race for it", async () => {
    const { t, agent, issueId } = await awaitingRecover();
    const first = poll(agent, 3);
    const second = poll(agent, 3);
    const queued = await recover(t, issueId);
    const report = agent.report({ services: down });
    const all = [...(await first).commands, ...(await second).commands, ...(await report).commands];
    expect(all.map((c) => c.id)).toEqual([queued.commandId]);
  });

  it("is for agent tokens only, and refuses a wait over 25 seconds", async () => {
    const { t, agent } = await awaitingRecover();
    await expectError(await call("/api/v1/agent/commands", { token: t.admin }), 403, "FORBIDDEN");
    await expectError(await call("/api/v1/agent/commands"), 401, "UNAUTHORIZED");
    await expectError(
      await call("/api/v1/agent/commands?wait=60", { token: agent.token }),
      400,
      "BAD_REQUEST",
    );
  });
});
