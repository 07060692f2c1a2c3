import { describe, expect, it } from "vitest";
import { call, expectError, json, must, newTenant, series } from "./support/harness";
import { badFields, createRules, listRules, postRules, type RuleView, rule } from "./support/rules-harness";

describe("rules API", () => {
  it("lists the built-in rules from the thresholds, predictive ones included, to read tokens", async () => {
    const t = await newTenant();
    await t.config({ alert_thresholds: { cpu_critical: 85 } });
    const read = await t.token("read");
    const items = (await json<{ items: RuleView[] }>("/api/v1/rules", { token: read })).items;
    const byId = Object.fromEntries(items.map((r) => [r.id, r]));
    expect(byId.cpu_spike).toMatchObject({ threshold: 85, builtin: true, overridden: false, enabled: true });
    expect(byId.cpu_spike.condition).toBe("cpu above 85 (clears at 80) for 5 min");
    expect(byId.disk_filling).toMatchObject({ kind: "forecast", metric: "disk:*", builtin: true });
    expect(byId.disk_filling.condition).toBe("disk:* reaches 100 within 6 h (trend over 2 h)");
    expect(byId.process_memory_leak).toMatchObject({ kind: "growth", metric: "svc:*.rss", growthRate: 5 });
    expect(byId.memory_exhaustion_forecast).toMatchObject({ kind: "forecast", horizonSeconds: 3600 });
    await expectError(await call("/api/v1/rules", { token: read, body: rule() }), 403, "FORBIDDEN");
  });

  it("creates a camelCase rule, reads it back, and lists it as custom", async () => {
    const t = await newTenant();
    const [created] = await createRules(t, rule({ actions: ["restart_service"] }));
    expect(created).toMatchObject({
      id: "cpu_hot",
      builtin: false,
      enabled: true,
      actions: ["restart_service"],
    });
    const one = await json<RuleView>("/api/v1/rules/cpu_hot", { token: t.admin });
    expect(one).toMatchObject({ id: "cpu_hot", kind: "threshold", condition: "cpu above 90" });
    expect((await listRules(t)).filter((r) => !r.builtin).map((r) => r.id)).toEqual(["cpu_hot"]);
    // Another org does not see it.
    const other = await newTenant();
    await expectError(await call("/api/v1/rules/cpu_hot", { token: other.admin }), 404, "NOT_FOUND");
  });

  it("names every bad field of a camelCase rule", async () => {
    const t = await newTenant();
    const cases: [Record<string, unknown>, string][] = [
      [{ severity: "urgent" }, "severity"],
      [{ threshold: undefined }, "threshold"],
      [{ kind: "growth", threshold: undefined }, "growthRate"],
      [{ kind: "forecast" }, "horizonSeconds"],
      [{ kind: "baseline" }, "quantile"],
      [{ kind: "anomaly" }, "minScore"],
      [{ kind: "service", metric: undefined }, "service"],
      [{ actions: ["Restart Now"] }, "actions.0"],
      [{ id: "CPU-Hot" }, "id"],
      [{ thresold: 80 }, "thresold"],
      [{ clearThreshold: 95 }, "clearThreshold"],
      [{ metric: "disk:*:*" }, "metric"],
      [{ kind: "cpu" }, "kind"],
    ];
    for (const [overrides, field] of cases) {
      const fields = await badFields(await postRules(t, rule(overrides)));
      expect(fields, JSON.stringify(overrides)).toContain(field);
    }
    expect((await listRules(t)).filter((r) => !r.builtin)).toEqual([]);
  });

  it("imports the seed's diagnostic_rules, inferring the metric from the name", async () => {
    const t = await newTenant();
    const created = await createRules(t, {
      cpu_spike_custom: {
        threshold: 90,
        duration: 300,
        severity: "high",
        actions: ["restart_service", "scale_resources"],
      },
      memory_leak: {
        threshold: 95,
        growth_rate: 5.0,
        severity: "critical",
        actions: ["clear_cache", "restart_service", "emergency_shutdown"],
      },
    });
    const byId = Object.fromEntries(created.map((r) => [r.id, r]));
    expect(byId.cpu_spike_custom).toMatchObject({
      kind: "threshold",
      metric: "cpu",
      threshold: 90,
      durationSeconds: 300,
    });
    expect(byId.memory_leak).toMatchObject({
      kind: "growth",
      metric: "memory",
      growthRate: 5,
      windowSeconds: 3600,
      threshold: 95,
      severity: "critical",
      actions: ["clear_cache", "restart_service", "emergency_shutdown"],
    });
  });

  it("imports all or nothing, naming the bad rule's field", async () => {
    const t = await newTenant();
    const good = { threshold: 90, duration: 300, severity: "high", actions: [] };
    expect(
      await badFields(await postRules(t, { cpu_a: good, cpu_b: { ...good, severity: "urgent" } })),
    ).toEqual(["cpu_b.severity"]);
    expect(await badFields(await postRules(t, { cpu_a: good, latency_high: good }))).toEqual([
      "latency_high.metric",
    ]);
    expect(await badFields(await postRules(t, { cpu_a: good, cpu_c: { severity: "high" } }))).toEqual([
      "cpu_c.threshold",
    ]);
    expect(await badFields(await postRules(t, { cpu_a: { ...good, actions: ["rm -rf"] } }))).toEqual([
      "cpu_a.actions.0",
    ]);
    expect(await badFields(await postRules(t, { cpu_a: { ...good, durations: 3 } }))).toEqual([
      "cpu_a.durations",
    ]);
    expect(await badFields(await postRules(t, {}))).toEqual(["(root)"]);
    await createRules(t, { cpu_b: good });
    await expectError(await postRules(t, { cpu_a: good, cpu_b: good }), 409, "CONFLICT");
    expect((await listRules(t)).filter((r) => !r.builtin).map((r) => r.id)).toEqual(["cpu_b"]);
  });

  it("refuses an id an existing rule holds, and takes a built-in's id as its override", async () => {
    const t = await newTenant();
    await createRules(t, rule());
    await expectError(await postRules(t, rule()), 409, "CONFLICT");
    const seed = {
      cpu_spike: { threshold: 77, duration: 300, severity: "high", actions: ["restart_service"] },
    };
    const res = await postRules(t, seed);
    expect(res.status).toBe(201);
    const spike = (await listRules(t)).find((r) => r.id === "cpu_spike");
    expect(spike).toMatchObject({ builtin: true, overridden: true, threshold: 77 });
    // the built-in's hysteresis moves with its threshold: it clears below 77, not at its old level
    expect(spike?.clearThreshold).toBeLessThan(77);
  });

  it("replaces, patches, disables and deletes a custom rule", async () => {
    const t = await newTenant();
    await createRules(t, rule());
    const put = await json<RuleView>("/api/v1/rules/cpu_hot", {
      method: "PUT",
      token: t.admin,
      body: rule({ threshold: 80, severity: "medium" }),
    });
    expect(put).toMatchObject({ threshold: 80, severity: "medium" });
    const patched = await json<RuleView>("/api/v1/rules/cpu_hot", {
      method: "PATCH",
      token: t.admin,
      body: { durationSeconds: 120 },
    });
    expect(patched).toMatchObject({
      threshold: 80,
      durationSeconds: 120,
      condition: "cpu above 80 for 2 min",
    });
    const bad = await call("/api/v1/rules/cpu_hot", {
      method: "PATCH",
      token: t.admin,
      body: { kind: "growth" },
    });
    expect(await badFields(bad)).toEqual(["growthRate"]);
    const off = await json<RuleView>("/api/v1/rules/cpu_hot/disable", { method: "POST", token: t.admin });
    expect(off.enabled).toBe(false);
    const deleted = await json("/api/v1/rules/cpu_hot", { method: "DELETE", token: t.admin });
    expect(deleted).toEqual({ id: "cpu_hot", deleted: true, restored: false });
    await expectError(await call("/api/v1/rules/cpu_hot", { token: t.admin }), 404, "NOT_FOUND");
  });

  it("overrides a built-in by id, can switch it off, and restores it on delete", async () => {
    const t = await newTenant();
    const patched = await json<RuleView>("/api/v1/rules/cpu_spike", {
      method: "PATCH",
      token: t.admin,
      body: { actions: ["restart_service"] },
    });
    expect(patched).toMatchObject({
      builtin: true,
      overridden: true,
      actions: ["restart_service"],
      threshold: 90,
    });
    // Fields the override leaves alone still follow the thresholds.
    await t.config({ alert_thresholds: { cpu_critical: 80 } });
    const after = must((await listRules(t)).find((r) => r.id === "cpu_spike"));
    expect(after).toMatchObject({ threshold: 80, actions: ["restart_service"] });

    await json("/api/v1/rules/cpu_warning/disable", { method: "POST", token: t.admin });
    await json("/api/v1/rules/cpu_spike/disable", { method: "POST", token: t.admin });
    const agent = await t.enroll();
    await agent.report({ samples: series(40, { cpu: 97 }, 10) });
    expect((await t.issues(`?host=${agent.hostId}`)).map((i) => i.rule)).toEqual([]);

    const restored = await json("/api/v1/rules/cpu_spike", { method: "DELETE", token: t.admin });
    expect(restored).toEqual({ id: "cpu_spike", deleted: false, restored: true });
    expect(must((await listRules(t)).find((r) => r.id === "cpu_spike"))).toMatchObject({
      enabled: true,
      overridden: false,
      actions: [],
    });
    await expectError(
      await call("/api/v1/rules/cpu_spike", { method: "DELETE", token: t.admin }),
      409,
      "CONFLICT",
    );
  });
});
