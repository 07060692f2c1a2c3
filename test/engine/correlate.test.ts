import { describe, expect, it } from "vitest";
import { correlate, type Finding } from "../../agent/engine";
import { T0 } from "./support/factories";

function finding(ruleId: string, evidence: Partial<Finding["evidence"]>, o: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    target: evidence.service ?? evidence.metric ?? "",
    severity: "high",
    summary: ruleId,
    actions: [],
    at: T0,
    ...o,
    evidence: { durationSeconds: 0, since: T0, ...evidence },
  };
}

describe("correlate", () => {
  it("makes memory pressure, swap and a leaking process one incident caused by the process", () => {
    const memory = finding("memory_critical", { metric: "memory" }, { severity: "critical" });
    const swap = finding("swap_high", { metric: "swap" });
    const leak = finding(
      "memory_leak",
      { metric: "svc:api.rss", extra: { ratePerHour: 12 } },
      { at: T0 + 5 },
    );
    const [incident, ...rest] = correlate([memory, swap, leak]);
    expect(rest).toHaveLength(0);
    expect(incident.cause).toBe(leak);
    expect(incident.symptoms).toEqual([memory, swap]);
    expect(incident.summary).toBe("Probable cause: memory_leak (+2 related symptoms)");
  });

  it("makes a service down and its failing check one incident caused by the service", () => {
    const down = finding("service_down", { service: "web" });
    const check = finding("check_failed", { metric: "check:web.http" }, { severity: "critical" });
    const [incident] = correlate([check, down]);
    expect(incident.cause).toBe(down);
    expect(incident.symptoms).toEqual([check]);
  });

  it("keeps unrelated symptoms apart", () => {
    const disk = finding("disk_critical", { metric: "disk" });
    const cpu = finding("cpu_spike", { metric: "cpu" });
    const incidents = correlate([disk, cpu]);
    expect(incidents.map((i) => i.cause.ruleId).sort()).toEqual(["cpu_spike", "disk_critical"]);
    expect(incidents.every((i) => i.symptoms.length === 0)).toBe(true);
  });

  it("prefers a forecast over the threshold it explains, then severity, then the earliest", () => {
    const full = finding("disk_critical", { metric: "disk" }, { severity: "critical" });
    const filling = finding(
      "disk_forecast",
      { metric: "disk:/var", extra: { etaSeconds: 600 } },
      { severity: "medium" },
    );
    expect(correlate([full, filling])[0].cause).toBe(filling);
    const a = finding("a", { metric: "cpu" }, { at: T0 + 10 });
    const b = finding("b", { metric: "load1" }, { at: T0 });
    expect(correlate([a, b])[0].cause).toBe(b);
  });

  it("between equal candidates picks the one with an action, since only the cause is acted on", () => {
    const leak = { metric: "svc:api.rss", extra: { ratePerHour: 12 } };
    const notify = finding("process_memory_leak", leak);
    const restart = finding("api_leak", leak, { actions: ["restart_service"], at: T0 + 1 });
    expect(correlate([notify, restart])[0].cause).toBe(restart);
    expect(correlate([restart, notify])[0].cause).toBe(restart);
  });
});
