import { describe, expect, it } from "vitest";
import type { EffectiveConfig } from "../../worker/schemas/scope";
import { call, expectError, json, newTenant, sample, service, type Tenant } from "./support/harness";

const put = (t: Tenant, kind: string, key: string, body: unknown) =>
  call(`/api/v1/scopes/${kind}/${key}`, { method: "PUT", token: t.admin, body });
const effective = (t: Tenant, host: string) =>
  json<EffectiveConfig>(`/api/v1/hosts/${host}/effective-config`, { token: t.admin });
const rule = (e: EffectiveConfig, id: string) => e.rules.find((r) => r.id === id);

/** An org with cpu_critical 90 of its own, and two hosts: one in group "db", one in no group. */
async function fleet() {
  const t = await newTenant();
  await t.config({ monitoring: { alert_thresholds: { cpu_critical: 90 } } });
  const inGroup = await t.enroll("db-1", undefined, { group: "db" });
  const alone = await t.enroll("web-1");
  return { t, inGroup, alone };
}

describe("scope: thresholds and rules per host group and per host", { timeout: 20_000 }, () => {
  it("resolves host over group over org, and says which level set each value", async () => {
    const { t, inGroup, alone } = await fleet();
    expect((await put(t, "group", "db", { thresholds: { cpu_critical: 70, cpu_warning: 60 } })).status).toBe(
      200,
    );
    expect((await put(t, "host", "db-1", { thresholds: { cpu_critical: 65 } })).status).toBe(200);

    const host = await effective(t, inGroup.hostId);
    expect(host.thresholds.cpu_critical).toEqual({ value: 65, setBy: "host" });
    expect(host.thresholds.cpu_warning).toEqual({ value: 60, setBy: "group" });
    expect(host.thresholds.memory_critical.setBy).toBe("default");
    expect(rule(host, "cpu_spike")?.threshold).toBe(65);
    const other = await effective(t, alone.hostId);
    expect(other.thresholds.cpu_critical).toEqual({ value: 90, setBy: "org" });

    await call("/api/v1/scopes/host/db-1", { method: "DELETE", token: t.admin });
    expect((await effective(t, "db-1")).thresholds.cpu_critical).toEqual({ value: 70, setBy: "group" });
    // the org's rules stay readable, as the org has them
    const { items } = await json<{ items: { id: string; threshold?: number }[] }>("/api/v1/rules", {
      token: t.admin,
    });
    expect(items.find((r) => r.id === "cpu_spike")?.threshold).toBe(90);
  });

  it("patches one rule per level, the host's patch winning field by field", async () => {
    const { t } = await fleet();
    await put(t, "group", "db", { rules: { service_down: { enabled: false, severity: "low" } } });
    await put(t, "host", "db-1", { rules: { service_down: { enabled: true } } });
    const r = rule(await effective(t, "db-1"), "service_down");
    expect(r).toMatchObject({ enabled: true, severity: "low", setBy: "host" });
    expect(r?.fieldsSetBy).toEqual({ enabled: "host", severity: "group" });
    expect(rule(await effective(t, "web-1"), "service_down")).toMatchObject({
      severity: "high",
      setBy: "default",
    });
  });

  it("applies the host's thresholds in the engine and tells its agent, at once after a change", async () => {
    const { t, inGroup, alone } = await fleet();
    const hot = { services: [], samples: [sample({ cpu: 80 })] };
    // reported once before the change: the host objects hold the context they read then
    await inGroup.report(hot);
    await alone.report(hot);
    await put(t, "group", "db", {
      thresholds: { cpu_critical: 75 },
      rules: { cpu_spike: { durationSeconds: 0 } },
    });
    const told = await inGroup.report(hot);
    expect(told.settings.thresholds.cpu_critical).toBe(75);
    expect((await alone.report(hot)).settings.thresholds.cpu_critical).toBe(90);
    const open = (await t.issues()).filter((i) => i.rule === "cpu_spike");
    expect(open.map((i) => i.host)).toEqual(["db-1"]);
  });

  it("follows a host moved to another group", async () => {
    const { t, alone } = await fleet();
    await put(t, "group", "db", { thresholds: { cpu_critical: 70 } });
    await alone.report();
    await json(`/api/v1/hosts/${alone.hostId}`, { method: "PATCH", token: t.admin, body: { group: "db" } });
    expect((await alone.report()).settings.thresholds.cpu_critical).toBe(70);
    expect((await effective(t, "web-1")).thresholds.cpu_critical).toEqual({ value: 70, setBy: "group" });
  });

  it("holds a host's restart for approval when its own scope asks for confirmation", async () => {
    const { t, inGroup, alone } = await fleet();
    await put(t, "host", inGroup.hostId, { rules: { service_down: { requireConfirmation: true } } });
    const down = { services: [service("nginx", "down")] };
    expect((await inGroup.report(down)).commands).toEqual([]);
    expect((await alone.report(down)).commands.map((c) => c.action)).toEqual(["restart_service"]);
    expect((await inGroup.report(down)).settings.unattended).toEqual([]);
  });

  it("refuses bad overrides with a 4xx naming the field, and writes nothing", async () => {
    const { t } = await fleet();
    const cases: [string, string, unknown, number, string][] = [
      ["group", "db", { rules: { no_such_rule: { enabled: false } } }, 400, "rules.no_such_rule"],
      ["group", "db", { thresholds: { cpu_warning: 95 } }, 400, "thresholds.cpu_warning"],
      ["group", "db", { thresholds: { cpu_critical: 101 } }, 400, "thresholds.cpu_critical"],
      [
        "group",
        "db",
        { rules: { service_down: { actions: ["Reboot!"] } } },
        400,
        "rules.service_down.actions.0",
      ],
      ["group", "db", { rules: { service_down: { kind: "threshold" } } }, 400, "rules.service_down.kind"],
      ["group", "db", { extra: 1 }, 400, ""],
      ["team", "db", {}, 400, "kind"],
    ];
    for (const [kind, key, body, status, path] of cases) {
      const error = await expectError(await put(t, kind, key, body), status, "BAD_REQUEST");
      if (path)
        expect(
          error.issues?.map((i) => i.path),
          JSON.stringify(body),
        ).toContain(path);
    }
    await expectError(await put(t, "host", "nowhere", {}), 404, "NOT_FOUND");
    await expectError(
      await call("/api/v1/scopes/group/db", { method: "DELETE", token: t.admin }),
      404,
      "NOT_FOUND",
    );
    expect((await json<{ items: unknown[] }>("/api/v1/scopes", { token: t.admin })).items).toEqual([]);
  });
});
