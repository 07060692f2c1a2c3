import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { d1Database, withDatabaseId } from "../../scripts/deploy.mjs";
import { ROOT, wrangler } from "../../scripts/lib/stack.mjs";

const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
const derived = path.join(ROOT, ".wrangler.deploy-test.toml");
afterAll(() => rmSync(derived, { force: true }));

describe("npm run deploy", () => {
  it("leaves the D1 database to wrangler's provisioning: a name, no placeholder id, and wrangler accepts it", async () => {
    expect(d1Database(toml)).toEqual({ name: "selfheal", id: undefined });
    expect(toml).not.toMatch(/^\s*database_id\s*=/m);
    const out = await wrangler(["deploy", "--dry-run", "--outdir", path.join(ROOT, ".wrangler", "dry-run")]);
    expect(out).toMatch(/env\.DB \(selfheal\)\s+D1 Database/);
  });

  it("hands the remote migrations a copy of the config carrying the database's id", async () => {
    const id = "0f3c9a52-6b1e-4c2d-9e8f-1a2b3c4d5e6f";
    const text = withDatabaseId(toml, id);
    expect(d1Database(text)).toEqual({ name: "selfheal", id });
    expect(text.replace(`\ndatabase_id = "${id}"`, "")).toBe(toml);
    expect(() => withDatabaseId(toml, "00000000; rm -rf /")).toThrow(/not a D1 database id/);
    writeFileSync(derived, text);
    const out = await wrangler([
      "deploy",
      "--dry-run",
      "--config",
      derived,
      "--outdir",
      path.join(ROOT, ".wrangler", "dry-run"),
    ]);
    expect(out).toMatch(/env\.DB \(selfheal\)\s+D1 Database/);
  });
});
