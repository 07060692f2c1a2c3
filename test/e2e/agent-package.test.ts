import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "selfheal-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the published agent package", () => {
  it("installs from the npm pack tarball on its own and runs a local check", async () => {
    await run("npm", ["pack", "--pack-destination", dir], { cwd: path.join(ROOT, "agent") });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    expect(tarball).toMatch(/^selfheal-agent-\d+\.\d+\.\d+\.tgz$/);
    const host = path.join(dir, "host");
    await run(
      "npm",
      ["install", "--prefix", host, "--no-audit", "--no-fund", path.join(dir, tarball ?? "")],
      {
        timeout: 120_000,
      },
    );
    const bin = path.join(host, "node_modules", ".bin", "selfheal-agent");
    const { stdout } = await run(bin, ["--version"]);
    expect(stdout.trim()).toMatch(/\d+\.\d+\.\d+/);

    // check exits 0/1/2 by health; execFile rejects on 1 and 2, so take the code either way.
    const result = await run(bin, ["check", "--json"]).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    const report = JSON.parse(result.stdout);
    expect([0, 1, 2]).toContain(result.code);
    expect(["healthy", "degraded", "critical"][result.code]).toBe(report.overallStatus ?? report.status);
    expect(report.metrics.cpu).toBeGreaterThanOrEqual(0);
  });
});
