import { describe, expect, it } from "vitest";
import { nextRecoveryStep } from "../../agent/engine";

const base = {
  actions: ["clear_cache", "restart_service"],
  maxAttempts: 3,
  now: 100_000,
  verifyWindowMs: 20_000,
};

describe("nextRecoveryStep", () => {
  it("runs the first action when nothing has been tried", () => {
    expect(nextRecoveryStep({ ...base, attempts: [] })).toEqual({
      kind: "run",
      action: "clear_cache",
      attempt: 1,
    });
  });

  it("escalates to the next action after a failure, repeating the last one", () => {
    const failed = { action: "clear_cache", status: "failed" as const };
    expect(nextRecoveryStep({ ...base, attempts: [failed] })).toMatchObject({
      action: "restart_service",
      attempt: 2,
    });
    const two = [failed, { action: "restart_service", status: "refused" as const }];
    expect(nextRecoveryStep({ ...base, attempts: two })).toMatchObject({
      action: "restart_service",
      attempt: 3,
    });
  });

  it("waits while an attempt is pending or a success is being verified", () => {
    expect(nextRecoveryStep({ ...base, attempts: [{ action: "clear_cache", status: "pending" }] }).kind).toBe(
      "wait",
    );
    const ok = { action: "clear_cache", status: "succeeded" as const, finishedAt: 90_000 };
    expect(nextRecoveryStep({ ...base, attempts: [ok] }).kind).toBe("wait");
  });

  it("treats a success that did not clear the condition within the window as a failed attempt", () => {
    const ok = { action: "clear_cache", status: "succeeded" as const, finishedAt: 70_000 };
    expect(nextRecoveryStep({ ...base, attempts: [ok] })).toMatchObject({
      kind: "run",
      action: "restart_service",
    });
  });

  it("escalates after max attempts", () => {
    const attempts = Array.from({ length: 3 }, () => ({
      action: "restart_service",
      status: "failed" as const,
    }));
    expect(nextRecoveryStep({ ...base, attempts }).kind).toBe("escalate");
  });

  it("plans nothing for a rule without actions", () => {
    expect(nextRecoveryStep({ ...base, actions: [], attempts: [] }).kind).toBe("none");
  });
});
