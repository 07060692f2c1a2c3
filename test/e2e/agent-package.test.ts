import { execFile, spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  api,
  applyMigrations,
  freePort,
  newSecret,
  startWorker,
  stopProcess,
  waitFor,
} from "../../scripts/lib/stack.mjs";
import { connectProxy } from "../support/connect-proxy";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "selfheal-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const host = path.join(dir, "host");
const bin = path.join(host, "node_modules", ".bin", "selfheal-agent");
const installed = path.join(host, "node_modules", "selfheal-agent");

/** Packs the agent and installs the tarball alone in an empty folder, once for the file. */
let installing: Promise<void> | undefined;
const installPacked = () => {
  installing ??= (async () => {
    await run("npm", ["pack", "--pack-destination", dir], { cwd: path.join(ROOT, "agent") });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    expect(tarball).toMatch(/^selfheal-agent-\d+\.\d+\.\d+\.tgz$/);
    await run(
      "npm",
      ["install", "--prefix", host, "--no-audit", "--no-fund", path.join(dir, tarball ?? "")],
      {
        timeout: 120_000,
      },
    );
  })();
  return installing;
};

describe("the published agent package", () => {
  it("installs from the npm pack tarball on its own, runs a local check and the clear_cache walk", async () => {
    await installPacked();
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
    const walker = path.join(installed, "dist", "clear-cache-child.js");
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

  it("ships its licence, where it comes from, a systemd unit that systemd-analyze verifies, a Dockerfile and the config's JSON Schema", async () => {
    await installPacked();
    const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toMatch(/^https:\/\//);
    expect(readFileSync(path.join(installed, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(existsSync(path.join(installed, "Dockerfile"))).toBe(true);

    const unit = path.join(installed, "systemd", "selfheal-agent.service");
    const text = readFileSync(unit, "utf8");
    for (const line of [
      /^User=\S+/m,
      /^After=network-online\.target/m,
      /^ProtectSystem=strict/m,
      /^Restart=always/m,
    ])
      expect(text).toMatch(line);
    // verify exits 0 even on a key it ignores, but names every problem: a clean unit prints nothing
    const verified = await run("systemd-analyze", ["verify", unit]);
    expect(`${verified.stdout}${verified.stderr}`).toBe("");

    const schema = JSON.parse(readFileSync(path.join(installed, "dist", "config.schema.json"), "utf8"));
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["$schema", "server", "token", "services", "actions"]),
    );

    // init points the config it writes at that schema, and the agent reads that config as written
    const initFile = path.join(dir, "init.json");
    await run(bin, ["init", "--server", "https://heal.example.com", "--token", "t0", "--config", initFile]);
    const schemaRef = /"\$schema": "([^"]+)"/.exec(readFileSync(initFile, "utf8"))?.[1] ?? "";
    expect(schemaRef).toBe(pathToFileURL(path.join(installed, "dist", "config.schema.json")).href);
    const checked = await run(bin, ["check", "--config", initFile, "--json"]).catch((e) => e);
    expect(JSON.parse(checked.stdout).status).toMatch(/healthy|degraded|critical/);
  });

  it("runs from the installed tarball with environment variables only, through an HTTP proxy, and its host enrols on the real Worker", async () => {
    await installPacked();
    const proxy = await connectProxy();
    const persistTo = path.join(dir, "wrangler");
    const adminToken = newSecret();
    await applyMigrations(persistTo);
    const worker = await startWorker({ port: await freePort(), persistTo, adminToken });
    const agentState = path.join(dir, "agent-state");
    let agent: ReturnType<typeof spawn> | undefined;
    try {
      const { token } = await api(worker.url, adminToken, "POST", "/api/v1/tokens", {
        scope: "enroll",
        name: "packed agent",
      });
      agent = spawn(bin, ["run"], {
        cwd: dir,
        detached: true,
        stdio: ["ignore", "ignore", "pipe"],
        env: {
          PATH: process.env.PATH,
          SELFHEAL_SERVER: worker.url,
          SELFHEAL_TOKEN: token,
          SELFHEAL_NAME: "packed-env-host",
          SELFHEAL_STATE_DIR: agentState,
          HTTP_PROXY: proxy.url,
        },
      });
      let log = "";
      agent.stderr?.on("data", (d) => (log += d));
      const host = await waitFor(
        async () => {
          const { items } = await api(worker.url, adminToken, "GET", "/api/v1/hosts");
          return (items as { name: string; lastSeenAt?: string | null }[]).find(
            (h) => h.name === "packed-env-host",
          );
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "the packed agent's host" },
      ).catch((err) => {
        throw new Error(`${err.message}\n${log}`);
      });
      expect(host.name).toBe("packed-env-host");
      expect(readdirSync(agentState).length).toBeGreaterThan(0);
      // the bundled proxy code carried the API and the command socket
      const sent = proxy.tunnels.map((t) => t.sent).join("");
      expect(proxy.tunnels.every((t) => t.target === new URL(worker.url).host)).toBe(true);
      expect(sent).toContain("POST /api/v1/agent/enroll HTTP/1.1");
      await waitFor(
        () =>
          /GET \/api\/v1\/agent\/commands\/socket HTTP\/1\.1/.test(proxy.tunnels.map((t) => t.sent).join("")),
        {
          timeoutMs: 30_000,
          what: "the command socket through the proxy",
        },
      );
    } finally {
      if (agent) await stopProcess(agent);
      await proxy.close();
      await worker.stop();
    }
  });
});
