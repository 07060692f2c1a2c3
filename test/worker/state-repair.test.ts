import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HotState } from "../../worker/objects/host/hot-state";
import { hostStub, must, newTenant, service, sql } from "./support/harness";

// Two overlapping reports from one host can each read the host's engine state and write it back
// (D1 has no row locks), so the later write may drop what the earlier one learned. The issues
// table must follow the engine's findings anyway.
describe("issues stay consistent with the engine after a lost state update", () => {
  it("resolves an issue whose condition the engine no longer holds once the service is back", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: [service("web", "down")] });
    // the engine state lives in the host's object: lose it there
    await runInDurableObject(hostStub(agent.hostId), (_o, state) => {
      const hot = must(state.storage.kv.get<HotState>("hot"));
      state.storage.kv.put("hot", { ...hot, host: { ...hot.host, engineState: null } });
    });
    await abortAllDurableObjects(); // so the object reads its storage again

    await agent.report({ services: [service("web", "up")] });
    const [issue] = await t.issues(`?host=${agent.hostId}`);
    expect(issue.status).toBe("resolved");
    expect(issue.mttrSeconds).toBeGreaterThanOrEqual(0);
  });

  it("opens a new issue for a condition the engine holds while its issue was resolved", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    await agent.report({ services: [service("web", "down")] });
    await sql(
      "UPDATE issues SET status = 'resolved', resolved_at = ? WHERE host_id = ?",
      Date.now(),
      agent.hostId,
    );

    const { commands } = await agent.report({ services: [service("web", "down")] });
    const open = await t.issues(`?host=${agent.hostId}&status=active`);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ rule: "service_down", target: "web" });
    expect(commands.map((c) => c.action)).toContain("restart_service");
  });
});
