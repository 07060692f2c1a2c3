import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, waitFor } from "../../scripts/lib/lab.mjs";
import type { CommandView } from "../../worker/schemas/recovery";

type Lab = Awaited<ReturnType<typeof startLab>>;
type Issue = { id: string; rule: string; target: string; status: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("safeguards with the real Worker and the real agent", () => {
  let lab: Lab;
  /** A call whose answer may be an error, with the token of our choosing. */
  const raw = async (token: string, method: string, pathname: string, body?: unknown) => {
    const res = await fetch(lab.worker.url + pathname, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    type Answer = { commandId: string; status: string; error: { code: string; message: string } };
    return { status: res.status, body: (await res.json()) as Answer };
  };
  beforeAll(async () => {
    lab = await startLab({
      services: 2,
      interval: 2,
      hostName: "safeguards-host",
      actions: { emergency_shutdown: true },
    });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("holds /recover emergency_shutdown for a second person: the requester's approval is refused, another token's runs it", async () => {
    // a person runs recovery by hand here: nothing automatic races the request
    await lab.call("POST", "/api/healing/config", { recovery: { auto_recovery: false } });
    const [first, second] = lab.services;
    const pids = [lab.pidOf(first), lab.pidOf(second)];
    process.kill(pids[0], "SIGKILL");
    const issue = await waitFor(
      async () => {
        const { items } = await lab.call("GET", "/api/healing/issues?status=active");
        return (items as Issue[]).find((i) => i.rule === "service_down" && i.target === first.name);
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "a service_down issue" },
    );

    const asked = await raw(lab.adminToken, "POST", "/api/healing/recover", {
      issue_id: issue.id,
      action: "emergency_shutdown",
    });
    expect(asked).toMatchObject({ status: 202, body: { status: "awaiting_approval" } });
    const commandId = asked.body.commandId as string;
    // the agent gets nothing while it waits
    await new Promise((r) => setTimeout(r, 5_000));
    expect(alive(pids[1])).toBe(true);

    const self = await raw(lab.adminToken, "POST", `/api/v1/commands/${commandId}/approve`, {});
    expect(self.status).toBe(403);
    expect(self.body.error).toMatchObject({ code: "FORBIDDEN" });
    expect(self.body.error.message).toContain("second person's approval");

    const { token: other } = await lab.call("POST", "/api/v1/tokens", { scope: "operator", name: "on call" });
    const approved = await raw(other, "POST", `/api/v1/commands/${commandId}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body as unknown as CommandView).toMatchObject({
      status: "pending",
      approvedBy: "on call",
    });
    await waitFor(() => !alive(pids[1]), { timeoutMs: 30_000, intervalMs: 250, what: "the shutdown" });
    const entry = await waitFor(
      async () => {
        const { items } = await lab.call("GET", `/api/healing/recovery-history?issue=${issue.id}`);
        const found = items.find((e: { action: string }) => e.action === "emergency_shutdown");
        return found?.status === "pending" ? null : found;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: "the shutdown's result" },
    );
    expect(entry).toMatchObject({ status: "succeeded", trigger: "manual" });
  });
});
