import { execFile } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "selfheal-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the published agent package", () => {
  it("installs from the npm pack tarball on its own, runs a local check and the clear_cache walk", async () => {
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

    // clear_cache's walk runs as a child from a file beside the bundle: it must ship, and run alone.
    const walker = path.join(host, "node_modules", "selfheal-agent", "dist", "clear-cache-child.js");
    const cache = path.join(dir, "cache");
    mkdirSync(path.join(cache, "deep"), { recursive: true });
    writeFileSync(path.join(cache, "deep", "a.bin"), "12345");
    const id = lstatSync(cache, { bigint: true });
    const walked = await run(process.execPath, [
      walker,
      cache,
      String(id.dev),
      String(id.ino),
      "",
      String(Date.now() + 60_000),
    ]);
    expect(JSON.parse(walked.stdout)).toMatchObject({ files: 1, dirs: 1, bytes: 5, errorCount: 0 });
    expect(readdirSync(cache)).toEqual([]);
  });
});
