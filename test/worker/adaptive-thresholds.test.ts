import { describe, expect, it } from "vitest";
import type { HostThresholds as View } from "../../worker/schemas/adaptive";
import { call, expectError, newTenant, sample } from "./support/harness";

const STEP = 10_000;

/** A host that has reported 800 steady samples (cpu 12, memory 30, disk 40) over the last hours. */
async function learnedHost() {
  const t = await newTenant();
  const agent = await t.enroll("app-1");
  const start = Date.now() - 3 * 3_600_000;
  await agent.backfill(Array.from({ length: 800 }, (_, i) => sample({}, start + i * STEP)));
  return { t, agent, next: start + 800 * STEP };
}

describe("adaptive thresholds", { timeout: 90_000 }, () => {
  it("suggests per-host thresholds from the learned baseline, next to the org's", async () => {
    const { t, agent } = await learnedHost();
    const view = await t.get<View>(`/api/v1/hosts/${agent.hostId}/thresholds`);
    expect(view.mode).toBe("suggest");
    expect(view.org.cpu_warning).toBe(70);
    expect(view.basis.cpu).toEqual({ p50: 12.5, p99: 12.5, samples: 800 });
    expect(view.suggested).toEqual({
      cpu_warning: 28,
      cpu_critical: 48,
      memory_warning: 41,
      memory_critical: 56,
      disk_warning: 46,
      disk_critical: 56,
    });
    // suggest mode changes nothing in force
    expect(view.applied).toEqual(view.org);
    // a reader may look, by name too; another org may not
    const reader = await t.token("read");
    expect((await call(`/api/v1/hosts/app-1/thresholds`, { token: reader })).status).toBe(200);
    const other = await newTenant();
    await expectError(
      await call(`/api/v1/hosts/${agent.hostId}/thresholds`, { token: other.admin }),
      404,
      "NOT_FOUND",
    );
  });

  it("auto mode applies them within the org's bounds, and the host's rules follow", async () => {
    const { t, agent, next } = await learnedHost();
    await t.config({
      monitoring: { adaptive_thresholds: { mode: "auto", bounds: { cpu_warning: { min: 20, max: 90 } } } },
    });
    const view = await t.get<View>(`/api/v1/hosts/${agent.hostId}/thresholds`);
    expect(view.mode).toBe("auto");
    expect(view.applied.cpu_warning).toBe(28); // inside the org's bound
    expect(view.applied.cpu_critical).toBe(80); // 90 - 10: the default bound
    expect(view.applied.memory_warning).toBe(70);
    // 7 min at cpu 40: over the host's applied warning (28), under the org's (70)
    await agent.backfill(Array.from({ length: 42 }, (_, i) => sample({ cpu: 40 }, next + i * STEP)));
    const warned = (await t.issues()).filter((i) => i.rule === "cpu_warning");
    expect(warned).toHaveLength(1);
    expect(warned[0].summary).toMatch(/cpu 40 above 28/);
  });

  it("refuses bounds whose min is above their max, and an unknown mode", async () => {
    const t = await newTenant();
    const post = (body: unknown) => call("/api/healing/config", { token: t.admin, body });
    await expectError(
      await post({
        monitoring: { adaptive_thresholds: { mode: "auto", bounds: { cpu_warning: { min: 80, max: 60 } } } },
      }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await post({ monitoring: { adaptive_thresholds: { mode: "always" } } }),
      400,
      "BAD_REQUEST",
    );
    expect(
      (await t.get<{ monitoring: Record<string, unknown> }>("/api/healing/config")).monitoring
        .adaptive_thresholds,
    ).toBeUndefined();
  });
});
