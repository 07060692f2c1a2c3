import { describe, expect, it } from "vitest";
import { histogram, render } from "../../worker/services/fleet/prometheus/render";
import { parseExposition } from "../support/prom-parse";
import { call, expectError, json, newTenant, result, service } from "./support/harness";

const scrape = (token: string) => call("/metrics", { token });

describe("the strict exposition reader", () => {
  it("rejects what promtool rejects: split families, missing final newline, bad escapes, broken histograms", () => {
    expect(() => parseExposition("a 1")).toThrow(/\\n/);
    expect(() => parseExposition("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n")).toThrow(/contiguous/);
    expect(() => parseExposition('a{x="\\q"} 1\n')).toThrow(/escape/);
    expect(() =>
      parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/cumulative/);
    expect(() => parseExposition("# TYPE a gauge\n# TYPE a gauge\na 1\n")).toThrow(/second TYPE/);
  });
});

describe("rendering", () => {
  it("escapes label values and help text, and writes NaN and infinities by name", () => {
    const text = render([
      {
        name: "x",
        help: "a\\b\nc",
        type: "gauge",
        samples: [{ labels: { v: 'q"\\\n' }, value: Number.NaN }],
      },
      { name: "h", help: "h", type: "histogram", samples: histogram([1, 5], [1, 2], 4.5, 3) },
    ]);
    expect(text).toContain("# HELP x a\\\\b\\nc\n");
    expect(text).toContain('x{v="q\\"\\\\\\n"} NaN\n');
    const samples = parseExposition(text);
    expect(samples.find((s) => s.name === "x")?.labels.v).toBe('q"\\\n');
    expect(samples.filter((s) => s.name === "h_bucket").map((s) => s.value)).toEqual([1, 2, 3]);
  });
});

describe("GET /metrics", () => {
  it("needs a token and accepts a metrics-scoped one, which can do nothing else", async () => {
    const t = await newTenant();
    await expectError(await call("/metrics"), 401, "UNAUTHORIZED");
    await expectError(await scrape(await t.token("enroll")), 403, "FORBIDDEN");
    const { token } = await json<{ token: string }>(
      "/api/v1/tokens",
      { token: t.admin, body: { scope: "metrics", name: "prom" } },
      201,
    );
    const res = await scrape(token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    await expectError(await call("/api/healing/status", { token }), 403, "FORBIDDEN");
  });

  it("exposes health per host, open issues by severity, recoveries by action and result, and MTTR", async () => {
    const t = await newTenant();
    const agent = await t.enroll("web-1");
    const { commands } = await agent.report({ services: [service("nginx", "down")] });
    await agent.report({
      services: [service("nginx", "up")],
      results: [result(commands[0].id, "succeeded")],
    });
    const other = await t.enroll("db-1");
    await other.report({ services: [service("postgres", "down")] });
    const res = await scrape(t.admin);
    const samples = parseExposition(await res.text());
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(
      find("selfheal_host_health_score")
        .map((s) => s.labels.host)
        .sort(),
    ).toEqual(["db-1", "web-1"]);
    expect(find("selfheal_open_issues", { severity: "high" })[0].value).toBe(1);
    expect(find("selfheal_open_issues", { severity: "critical" })[0].value).toBe(0);
    expect(
      find("selfheal_recoveries_total", { action: "restart_service", result: "succeeded" })[0].value,
    ).toBe(1);
    expect(find("selfheal_mttr_seconds_count")[0].value).toBe(1);
    expect(find("selfheal_mttr_seconds_bucket", { le: "+Inf" })[0].value).toBe(1);
  });

  it("shows one org only", async () => {
    const t = await newTenant();
    const other = await newTenant();
    await (await other.enroll("secret-host")).report();
    const text = await (await scrape(t.admin)).text();
    expect(text).not.toContain("secret-host");
  });
});
