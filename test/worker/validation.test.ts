import { describe, expect, it } from "vitest";
import { call, expectError, newTenant, sample, sql, storedSamples } from "./support/harness";

const samplesOf = storedSamples;

describe("input validation", () => {
  it("answers malformed JSON with 400 and leaves the configuration as it was", async () => {
    const t = await newTenant();
    const res = await call("/api/healing/config", {
      token: t.admin,
      raw: '{"enabled": fal',
      headers: { "content-type": "application/json" },
    });
    await expectError(res, 400, "BAD_REQUEST");
    expect(await t.get("/api/healing/config")).toMatchObject({ enabled: true });
  });

  it("names each field of the wrong type in `issues`", async () => {
    const t = await newTenant();
    const res = await call("/api/healing/config", {
      token: t.admin,
      body: { enabled: "yes", monitoring: { interval: "fast" } },
    });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues?.map((i) => i.path).sort()).toEqual(["enabled", "monitoring.interval"]);
  });

  it("refuses unknown fields in a report (the protocol is strict) and stores nothing", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const res = await call("/api/v1/agent/report", {
      token: agent.token,
      body: { protocol: 1, samples: [{ ...sample(), extra: 1 }], surprise: true },
    });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(["surprise", "samples.0.extra"]));
    expect(await samplesOf(agent.hostId)).toBe(0);
    const [host] = await sql("SELECT last_seen_at FROM hosts WHERE id = ?", agent.hostId);
    expect(host.last_seen_at).toBeNull();
  });

  it("takes metric names of 1 to 64 allowed characters and refuses every other key by its path", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const longest = `disk:/${"v".repeat(58)}`;
    await agent.report({
      samples: [{ ts: new Date().toISOString(), metrics: { [longest]: 1, "net.rx": 2 } }],
    });
    const bad = ["", `disk:/${"v".repeat(59)}`, "two words", "cpu%", "naïve"];
    for (const name of bad) {
      const res = await call("/api/v1/agent/report", {
        token: agent.token,
        body: { protocol: 1, samples: [{ ts: new Date().toISOString(), metrics: { cpu: 1, [name]: 1 } }] },
      });
      const error = await expectError(res, 400, "BAD_REQUEST");
      expect(error.issues).toEqual([{ path: `samples.0.metrics.${name}`, message: "Invalid key in record" }]);
    }
    expect(await samplesOf(agent.hostId)).toBe(1);
  });

  it("refuses a report with a wrong protocol version or a bad timestamp", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const res = await call("/api/v1/agent/report", {
      token: agent.token,
      body: { protocol: 2, samples: [{ ts: "yesterday", metrics: { cpu: 1 } }] },
    });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(["protocol", "samples.0.ts"]));
    expect(await samplesOf(agent.hostId)).toBe(0);
  });

  it("answers a body that is not JSON with 415", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const res = await call("/api/v1/agent/report", {
      token: agent.token,
      raw: JSON.stringify({ protocol: 1, samples: [sample()] }),
      headers: { "content-type": "text/plain" },
    });
    await expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(await samplesOf(agent.hostId)).toBe(0);
  });

  it("answers a body over 1 MB with 413 and stores nothing", async () => {
    const t = await newTenant();
    const agent = await t.enroll();
    const big = { protocol: 1, samples: [sample()], agentVersion: "x".repeat(1024 * 1024 + 10) };
    const res = await call("/api/v1/agent/report", { token: agent.token, body: big });
    await expectError(res, 413, "PAYLOAD_TOO_LARGE");
    expect(await samplesOf(agent.hostId)).toBe(0);
  });

  it("answers an unknown issue with 404 and queues nothing", async () => {
    const t = await newTenant();
    await expectError(await call("/api/healing/issues/iss_missing", { token: t.admin }), 404, "NOT_FOUND");
    const res = await call("/api/healing/recover", {
      token: t.admin,
      body: { issue_id: "iss_missing", action: "auto" },
    });
    await expectError(res, 404, "NOT_FOUND");
    expect((await sql("SELECT count(*) AS n FROM commands WHERE org_id = ?", t.orgId))[0].n).toBe(0);
  });

  it("answers bad query parameters with 400 naming them", async () => {
    const t = await newTenant();
    const res = await call("/api/healing/issues?limit=lots&status=sleeping", { token: t.admin });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues?.map((i) => i.path).sort()).toEqual(["limit", "status"]);
  });

  it("refuses an enrolment with an invalid host name and creates no host", async () => {
    const t = await newTenant();
    const enroll = await t.token("enroll");
    const res = await call("/api/v1/agent/enroll", { token: enroll, body: { name: "../etc/passwd" } });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues?.[0].path).toBe("name");
    expect((await sql("SELECT count(*) AS n FROM hosts WHERE org_id = ?", t.orgId))[0].n).toBe(0);
  });

  it("answers an unknown API route with the error shape and 404", async () => {
    const t = await newTenant();
    await expectError(await call("/api/healing/nothing-here", { token: t.admin }), 404, "NOT_FOUND");
  });

  it("refuses an unknown action name shape on /recover with 400", async () => {
    const t = await newTenant();
    const res = await call("/api/healing/recover", {
      token: t.admin,
      body: { issue_id: "iss_x", action: "rm -rf /" },
    });
    const error = await expectError(res, 400, "BAD_REQUEST");
    expect(error.issues?.[0].path).toBe("action");
  });
});
