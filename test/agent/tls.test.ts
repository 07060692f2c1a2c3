import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS, defaultRules, evaluate } from "../../agent/engine";
import { certificateExpiry, tlsCollector } from "../../agent/src/collectors/tls";
import { parseConfig } from "../../agent/src/config/schema";

/** A local HTTPS server with a fresh self-signed certificate valid for `days`. */
function selfSigned(days: number) {
  const dir = mkdtempSync(path.join(tmpdir(), "selfheal-tls-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      String(days),
      "-subj",
      "/CN=localhost",
    ],
    {
      stdio: "ignore",
    },
  );
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) =>
    res.end("ok"),
  );
  return { server, dir };
}

describe("the TLS expiry collector", () => {
  let server: Server;
  let dir: string;
  let url: string;
  beforeAll(async () => {
    ({ server, dir } = selfSigned(10));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the certificate's expiry even when the certificate is self-signed", async () => {
    const notAfter = await certificateExpiry(url, 2000);
    expect((notAfter - Date.now()) / 86_400_000).toBeCloseTo(10, 0);
  });

  it("reports days left as tls:<name>.days and leaves out endpoints it cannot reach", async () => {
    const collector = tlsCollector([
      { name: "site", url, timeoutMs: 2000 },
      { name: "gone", url: "https://127.0.0.1:1/", timeoutMs: 500 },
    ]);
    const metrics = await collector.collect();
    expect(Object.keys(metrics)).toEqual(["tls:site.days"]);
    expect(metrics["tls:site.days"]).toBeGreaterThan(9.8);
    expect(metrics["tls:site.days"]).toBeLessThanOrEqual(10);
    expect(collector.everyMs).toBe(3_600_000);
  });

  it("fails loudly when no endpoint answers", async () => {
    await expect(
      tlsCollector([{ name: "gone", url: "https://127.0.0.1:1/", timeoutMs: 500 }]).collect(),
    ).rejects.toThrow();
  });

  it("feeds the built-in rule, which opens a medium issue under 14 days", () => {
    const rules = defaultRules(DEFAULT_THRESHOLDS);
    const now = Date.now();
    const result = evaluate(rules, undefined, {
      samples: [{ ts: now, metrics: { "tls:site.days": 10 } }],
      now,
    });
    expect(result.opened).toEqual([
      expect.objectContaining({ ruleId: "tls_expiry", target: "tls:site.days", severity: "medium" }),
    ]);
    const fine = evaluate(rules, undefined, {
      samples: [{ ts: now, metrics: { "tls:site.days": 60 } }],
      now,
    });
    expect(fine.opened).toEqual([]);
  });
});

describe("the tls section of the agent config", () => {
  it("takes https endpoints with metric-safe names", () => {
    const cfg = parseConfig({ tls: [{ name: "site", url: "https://example.com" }] });
    expect(cfg.tls).toEqual([{ name: "site", url: "https://example.com", timeoutMs: 5000 }]);
  });

  it("refuses http URLs, odd names and duplicates", () => {
    expect(() => parseConfig({ tls: [{ name: "site", url: "http://example.com" }] })).toThrow(/https/);
    expect(() => parseConfig({ tls: [{ name: "a b", url: "https://example.com" }] })).toThrow(/letters/);
    const dup = { name: "a", url: "https://example.com" };
    expect(() => parseConfig({ tls: [dup, dup] })).toThrow(/duplicate/);
  });
});
