import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../agent/protocol";
import { call, expectError, json, newTenant, sample, series, storedSamples } from "./support/harness";
import { callWith, rowCount } from "./support/sec-harness";

const slackBody = (padding: number) => ({
  name: "x".repeat(padding),
  kind: "slack",
  url: "https://hooks.slack.com/services/T/B/C",
});

describe("body-size limits", () => {
  it("answers a body over 64 KB outside agent reports with 413 and stores nothing", async () => {
    const t = await newTenant();
    const res = await call("/api/v1/channels", { token: t.admin, body: slackBody(65 * 1024) });
    const error = await expectError(res, 413, "PAYLOAD_TOO_LARGE");
    expect(error.message).toBe("request body is larger than 64 KB");
    expect(await rowCount("channels", t.orgId)).toBe(0);
  });

  it("accepts agent reports over 64 KB (a spool flush of a report's worth of samples)", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const metrics = { cpu: 5, swap: 1, load5: 0.5, load15: 0.4, "net.rx": 1000, "disk:/var": 40 };
    const samples = series(LIMITS.samplesPerReport, metrics, 1);
    expect(JSON.stringify({ protocol: 1, samples }).length).toBeGreaterThan(64 * 1024);
    await agent.report({ samples });
    expect(await t.samples(agent.hostId, "?limit=1000")).toHaveLength(LIMITS.samplesPerReport);
  });

  it("answers a report over the protocol's byte limit with 413 and stores nothing", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const big = { protocol: 1, samples: [sample()], agentVersion: "x".repeat(LIMITS.reportBytes) };
    await expectError(
      await call("/api/v1/agent/report", { token: agent.token, body: big }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(await t.samples(agent.hostId)).toEqual([]);
  });

  it("takes both limits from SELFHEAL_MAX_BODY_BYTES and SELFHEAL_MAX_REPORT_BYTES", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const vars = { SELFHEAL_MAX_BODY_BYTES: "1024", SELFHEAL_MAX_REPORT_BYTES: "2048" };
    const small = await callWith(vars, "/api/v1/channels", { token: t.admin, body: slackBody(2000) });
    expect((await expectError(small, 413, "PAYLOAD_TOO_LARGE")).message).toBe(
      "request body is larger than 1 KB",
    );
    const report = { protocol: 1, samples: series(40, { cpu: 1 }) };
    await expectError(
      await callWith(vars, "/api/v1/agent/report", { token: agent.token, body: report }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });
});

describe("rate limits per token", () => {
  it("answers 429 with Retry-After once a token passes SELFHEAL_RATE_LIMIT_PER_MINUTE", async () => {
    const t = await newTenant();
    const other = await t.token("read");
    const vars = { SELFHEAL_RATE_LIMIT_PER_MINUTE: "3" };
    for (let i = 0; i < 3; i++)
      expect((await callWith(vars, "/api/v1/hosts", { token: t.admin })).status).toBe(200);
    const res = await callWith(vars, "/api/v1/hosts", { token: t.admin });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await expectError(res, 429, "RATE_LIMITED")).message).toMatch(/retry in \d+ s/);
    expect((await callWith(vars, "/api/v1/hosts", { token: other })).status).toBe(200);
  });

  it("counts agent tokens against their own limit, and writes nothing when refusing", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const vars = { SELFHEAL_AGENT_RATE_LIMIT_PER_MINUTE: "2" };
    const report = (ts: number) => ({ protocol: 1, samples: series(1, { cpu: 1 }, 1, ts) });
    for (const ts of [1, 2]) {
      const res = await callWith(vars, "/api/v1/agent/report", {
        token: agent.token,
        body: report(Date.now() - ts * 1000),
      });
      expect(res.status).toBe(200);
    }
    const before = await storedSamples(agent.hostId);
    const res = await callWith(vars, "/api/v1/agent/report", {
      token: agent.token,
      body: report(Date.now()),
    });
    await expectError(res, 429, "RATE_LIMITED");
    expect(await storedSamples(agent.hostId)).toBe(before);
    expect(before).toBe(2);
    expect((await callWith(vars, "/api/v1/hosts", { token: t.admin })).status).toBe(200);
  });

  it("lets SELFHEAL_RATE_LIMIT=off disable limiting", async () => {
    const t = await newTenant();
    const vars = { SELFHEAL_RATE_LIMIT: "off", SELFHEAL_RATE_LIMIT_PER_MINUTE: "1" };
    for (let i = 0; i < 3; i++)
      expect((await callWith(vars, "/api/v1/hosts", { token: t.admin })).status).toBe(200);
  });

  it("uses the Workers Rate Limiting binding from wrangler.toml when no per-minute var is set", async () => {
    const bindings = env as unknown as Record<string, RateLimit>;
    expect(typeof bindings.RATE_LIMIT_API?.limit).toBe("function");
    expect(typeof bindings.RATE_LIMIT_AGENT?.limit).toBe("function");
    const t = await newTenant();
    // The same local binding with a limit of 2 (miniflare's limiter takes a per-call limit).
    const tight = {
      limit: (o: { key: string }) => bindings.RATE_LIMIT_API.limit({ ...o, limit: 2 } as never),
    };
    const vars = { RATE_LIMIT_API: tight };
    for (let i = 0; i < 2; i++)
      expect((await callWith(vars, "/api/v1/hosts", { token: t.admin })).status).toBe(200);
    const res = await callWith(vars, "/api/v1/hosts", { token: t.admin });
    await expectError(res, 429, "RATE_LIMITED");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await json("/api/v1/hosts", { token: t.admin });
  });
});
