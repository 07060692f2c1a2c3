import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab } from "../../scripts/lib/lab.mjs";
import { freePort, startAgent, waitFor } from "../../scripts/lib/stack.mjs";
import { startReceiver } from "./support/receivers";

const SECRET = "whsec_silent0123456789abcdef0123456789";
type Lab = Awaited<ReturnType<typeof startLab>>;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;
type Issue = { id: string; rule: string; status: string; severity: string; summary: string };

describe("a host whose agent dies, through wrangler dev and the real agent", () => {
  let lab: Lab;
  let receiver: Receiver;
  let revived: ReturnType<typeof startAgent> | undefined;
  const cron = () => fetch(`${lab.worker.url}/__scheduled?cron=*+*+*+*+*`).then((r) => r.text());
  const offline = async (): Promise<Issue | undefined> =>
    (await lab.call("GET", "/api/healing/issues?host=silent-lab")).items.find(
      (i: Issue) => i.rule === "host_offline",
    );
  /** Runs the cron (it delivers) and tells whether the receiver has a host_offline event of this kind. */
  const paged = async (event: string) => {
    await cron();
    return hookEvents().some((e: { event: string }) => e.event === event);
  };
  const hookEvents = () =>
    receiver.received
      .filter((r) => r.path === "/hook")
      .flatMap((r) => r.body.events)
      .filter((e: { issue: { rule: string } }) => e.issue.rule === "host_offline");

  beforeAll(async () => {
    lab = await startLab({ services: 1, interval: 1, hostName: "silent-lab" });
    const port = await freePort();
    receiver = await startReceiver(port, SECRET);
    await lab.call("POST", "/api/healing/config", { host_offline: { after_seconds: 5 } });
    await lab.call("POST", "/api/v1/channels", {
      kind: "webhook",
      name: "pager",
      url: `http://127.0.0.1:${port}/hook`,
      secret: SECRET,
      minSeverity: "low",
      groupWaitSeconds: 0,
    });
  });
  afterAll(async () => {
    await revived?.stop();
    await receiver?.close();
    await lab?.stop();
  });

  it("SIGKILLed: a high host_offline issue and a page; restarted: resolved with how long it was silent", async () => {
    lab.agent.proc.kill("SIGKILL");
    const killedAt = Date.now();
    const opened = await waitFor(
      async () => {
        await cron();
        const issue = await offline();
        return issue?.status === "open" ? issue : null;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: "a host_offline issue" },
    );
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(5000);
    expect(opened).toMatchObject({
      severity: "high",
      summary: expect.stringContaining("silent-lab has sent no report"),
    });
    await waitFor(() => paged("opened"), {
      timeoutMs: 15_000,
      intervalMs: 500,
      what: "the opened page at the receiver",
    });

    const silentMs = Date.now() - killedAt;
    revived = startAgent({ configPath: path.join(lab.dir, "agent.json") });
    const resolved = await waitFor(
      async () => {
        const issue = await offline();
        return issue?.status === "resolved" ? issue : null;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "the host_offline issue resolved" },
    );
    const [, minutes, seconds] =
      /reports again after (?:(\d+)m )?(\d+)s of silence/.exec(resolved.summary) ?? [];
    expect(seconds).toBeDefined();
    const told = (Number(minutes ?? 0) * 60 + Number(seconds)) * 1000;
    expect(told).toBeGreaterThanOrEqual(silentMs - 2000);
    expect(told).toBeLessThan(silentMs + 30_000);
    await waitFor(() => paged("resolved"), {
      timeoutMs: 15_000,
      intervalMs: 500,
      what: "the resolved page at the receiver",
    });
    expect(receiver.received.flatMap((r) => r.problems)).toEqual([]);
    const events = hookEvents();
    expect(events.map((e: { event: string }) => e.event)).toEqual(["opened", "resolved"]);
    expect(events[1].detail.silentSeconds).toBeGreaterThanOrEqual(5);
    expect(events[1].issue.id).toBe(opened.id);
  });
});
