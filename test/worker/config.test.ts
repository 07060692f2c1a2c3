import { describe, expect, it } from "vitest";
import { call, expectError, json, newTenant } from "./support/harness";

/** The seed's configuration document, as its README prints it. */
const SEED = {
  enabled: true,
  monitoring: {
    interval: 30,
    enable_ai_diagnostics: true,
    alert_thresholds: {
      cpu_warning: 70.0,
      cpu_critical: 90.0,
      memory_warning: 80.0,
      memory_critical: 95.0,
      disk_warning: 85.0,
      disk_critical: 95.0,
    },
  },
  recovery: { max_attempts: 3, auto_recovery: true, require_confirmation: false, emergency_shutdown: true },
};

describe("healing configuration", () => {
  it("starts as the seed's document", async () => {
    const t = await newTenant();
    expect(await t.get("/api/healing/config")).toEqual(SEED);
  });

  it("round-trips the seed's whole document", async () => {
    const t = await newTenant();
    const changed = structuredClone(SEED);
    changed.monitoring.interval = 45;
    changed.recovery.require_confirmation = true;
    expect(await t.config(changed)).toEqual(changed);
    expect(await t.get("/api/healing/config")).toEqual(changed);
  });

  it("deep-merges a partial document", async () => {
    const t = await newTenant();
    const doc = await t.config({
      monitoring: { alert_thresholds: { disk_warning: 80 } },
      recovery: { max_attempts: 5 },
    });
    expect(doc.monitoring.alert_thresholds).toEqual({
      ...SEED.monitoring.alert_thresholds,
      disk_warning: 80,
    });
    expect(doc.recovery).toEqual({ ...SEED.recovery, max_attempts: 5 });
    expect(doc.monitoring.interval).toBe(30);
  });

  it("accepts the seed's troubleshooting forms: top-level alert_thresholds and monitoring_interval", async () => {
    const t = await newTenant();
    await t.config({ alert_thresholds: { cpu_warning: 80.0, memory_warning: 85.0 } });
    const doc = await t.config({ monitoring_interval: 60 });
    expect(doc.monitoring).toEqual({
      ...SEED.monitoring,
      interval: 60,
      alert_thresholds: { ...SEED.monitoring.alert_thresholds, cpu_warning: 80, memory_warning: 85 },
    });
    expect(doc).not.toHaveProperty("alert_thresholds");
    expect(doc).not.toHaveProperty("monitoring_interval");
  });

  it("refuses thresholds out of range, of the wrong type or with warning above critical, and keeps the old ones", async () => {
    const t = await newTenant();
    const cases: [unknown, string][] = [
      [{ alert_thresholds: { cpu_warning: 150 } }, "alert_thresholds.cpu_warning"],
      [
        { monitoring: { alert_thresholds: { disk_critical: "high" } } },
        "monitoring.alert_thresholds.disk_critical",
      ],
      [{ alert_thresholds: { memory_warning: 97 } }, "monitoring.alert_thresholds.memory_warning"],
      [{ alert_thresholds: { gpu_warning: 50 } }, "alert_thresholds.gpu_warning"],
      [{ monitoring_interval: 0 }, "monitoring_interval"],
    ];
    for (const [patch, path] of cases) {
      const error = await expectError(
        await call("/api/healing/config", { token: t.admin, body: patch }),
        400,
        "BAD_REQUEST",
      );
      expect(error.issues?.map((i) => i.path)).toContain(path);
    }
    expect(await t.get("/api/healing/config")).toEqual(SEED);
  });

  it("changes the thresholds the engine uses for that org", async () => {
    const t = await newTenant();
    await t.config({ alert_thresholds: { disk_warning: 50, disk_critical: 60 } });
    const agent = await t.enroll();
    const from = Date.now() - 100_000;
    const samples = Array.from({ length: 10 }, (_, i) => ({
      ts: new Date(from + i * 10_000).toISOString(),
      metrics: { disk: 65 },
    }));
    await agent.report({ samples });
    const rules = (await t.issues(`?host=${agent.hostId}`)).map((i) => i.rule).sort();
    expect(rules).toEqual(["disk_critical", "disk_warning"]);
    const other = await newTenant();
    const calm = await other.enroll();
    await calm.report({ samples });
    expect(await other.issues()).toEqual([]);
  });

  it("is read by read tokens too", async () => {
    const t = await newTenant();
    const read = await t.token("read");
    expect(await json("/api/healing/config", { token: read })).toEqual(SEED);
  });
});
