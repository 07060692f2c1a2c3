import { describe, expect, it } from "vitest";
import type { HealingConfig } from "../../worker/schemas/config";
import { json, newTenant, sample, service } from "./support/harness";
import { createRules } from "./support/rules-harness";

const DISRUPTIVE = [
  "force_restart",
  "stop_service",
  "reset_config",
  "emergency_shutdown",
  "lockdown",
  "run_script",
];

describe("environment profiles", () => {
  it("production asks approval for disruptive actions and verifies twice as long", async () => {
    const t = await newTenant();
    const doc = await t.config({ profile: "production" });
    expect(doc.profile).toBe("production");
    expect(doc.recovery).toMatchObject({
      require_confirmation: { actions: DISRUPTIVE },
      verify_scale: 2,
      auto_recovery: true,
    });
    expect(await t.get("/api/healing/config")).toEqual(doc);
  });

  it("development acts on everything without approval and verifies quickly", async () => {
    const t = await newTenant();
    await t.config({ recovery: { require_confirmation: true } });
    // an explicit setting wins over the preset
    const doc = await t.config({ profile: "development" });
    expect(doc.recovery).toMatchObject({ require_confirmation: true, verify_scale: 0.5 });
    const other = await newTenant();
    const plain = await other.config({ profile: "development" });
    expect(plain.recovery).toMatchObject({
      require_confirmation: false,
      auto_recovery: true,
      verify_scale: 0.5,
    });
  });

  it("switching profile changes only what was not set explicitly", async () => {
    const t = await newTenant();
    await t.config({ profile: "production", recovery: { max_attempts: 5 } });
    const staging = await t.config({ profile: "staging" });
    expect(staging.recovery).toEqual({
      max_attempts: 5,
      auto_recovery: true,
      require_confirmation: false,
      emergency_shutdown: true,
    });
    const back = await t.config({ profile: "production" });
    expect(back.recovery).toMatchObject({ max_attempts: 5, verify_scale: 2 });
  });

  it("hold a force_restart for approval in production and run it at once in development", async () => {
    const statusFor = async (profile: string) => {
      const t = await newTenant();
      await t.config({ profile });
      await createRules(t, {
        id: "api_wedged",
        kind: "threshold",
        metric: "check:api.*.status",
        op: "above",
        threshold: 1,
        durationSeconds: 0,
        severity: "high",
        actions: ["force_restart"],
      });
      const agent = await t.enroll();
      const { commands } = await agent.report({
        samples: [sample({ "check:api.http.status": 2 })],
        services: [service("api", "up")],
      });
      const issue = (await t.issues(`?host=${agent.hostId}`)).find((i) => i.rule === "api_wedged");
      return { commands: commands.map((c) => `${c.action} ${c.target}`), status: issue?.status };
    };
    expect(await statusFor("production")).toEqual({ commands: [], status: "awaiting_approval" });
    expect(await statusFor("development")).toEqual({ commands: ["force_restart api"], status: "recovering" });
  });

  it("refuse an unknown profile", async () => {
    const t = await newTenant();
    const res = await json<unknown>("/api/healing/config", { token: t.admin, body: { profile: "qa" } }, 400);
    expect(res).toBeTruthy();
    const unchanged = await t.get<HealingConfig>("/api/healing/config");
    expect(unchanged).not.toHaveProperty("profile");
  });
});
