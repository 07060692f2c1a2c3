import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandJournal } from "../../agent/src/actions/journal";
import { ActionRegistry } from "../../agent/src/actions/registry";
import { ConfigKeeper } from "../../agent/src/configs/keeper";
import { yamlProblem } from "../../agent/src/configs/yaml-check";
import { ServiceManager } from "../../agent/src/services";
import { ensureStateDir } from "../../agent/src/state-dir";
import { actionContext, cleanup, configFor, quietLog, tempDir, writeScript } from "./support/helpers";

afterEach(cleanup);

let seq = 0;
const cmd = (action: string, target = "app") => ({
  id: `cfg-${++seq}`,
  action,
  target,
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

const ALL = { reset_config: true, validate_config: true, bless_config: true };

function setup(configs: unknown[], actions: Record<string, boolean> = ALL) {
  const config = configFor({ configs, actions });
  const paths = ensureStateDir(config.stateDir);
  const keeper = new ConfigKeeper(config.configs, paths.configs, quietLog);
  const registry = new ActionRegistry({
    journal: new CommandJournal(paths.journal),
    context: actionContext(config, new ServiceManager([], { log: quietLog }), paths, { configs: keeper }),
  });
  return { registry, keeper, paths };
}

function jsonFile(content: string) {
  const file = path.join(tempDir(), "app.json");
  writeFileSync(file, content);
  return file;
}

describe("known-good snapshots and drift", () => {
  it("takes the first version that validates and reports drift by hash every time it is asked", async () => {
    const file = jsonFile('{"port": 80}');
    const { keeper, paths } = setup([{ name: "app", path: file }]);
    expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 0 });
    expect(readFileSync(path.join(paths.configs, "app.good"), "utf8")).toBe('{"port": 80}');
    writeFileSync(file, '{"port": 81}');
    expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 1 });
    writeFileSync(file, '{"port": 80}');
    expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 0 });
  });

  it("reports no drift metric until some version validates", async () => {
    const file = jsonFile("{ broken");
    const { keeper } = setup([{ name: "app", path: file }]);
    expect(await keeper.driftMetrics()).toEqual({});
    writeFileSync(file, "{}");
    expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 0 });
  });

  it("reports drift when the file is gone", async () => {
    const file = jsonFile("{}");
    const { keeper } = setup([{ name: "app", path: file }]);
    await keeper.ensureSnapshots();
    rmSync(file);
    expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 1 });
  });
});

describe("reset_config", () => {
  it("restores the snapshot, keeps the file it replaced and the file's mode, and drift goes back to 0", async () => {
    const file = jsonFile('{"workers": 4}');
    chmodSync(file, 0o640);
    const { registry, keeper, paths } = setup([{ name: "app", path: file }]);
    await keeper.ensureSnapshots();
    writeFileSync(file, '{"workers": 400}');
    const result = await registry.execute(cmd("reset_config"));
    expect(result).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(readFileSync(file, "utf8")).toBe('{"workers": 4}');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const kept = readdirSync(paths.configs).filter((n) => n.startsWith("app.replaced-"));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(paths.configs, kept[0]), "utf8")).toBe('{"workers": 400}');
    expect(result?.output).toContain(kept[0]);
    expect(readdirSync(path.dirname(file))).toEqual(["app.json"]); // no temp file left behind
    expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 0 });
  });

  it("changes nothing when the file already matches", async () => {
    const file = jsonFile("{}");
    const { registry, keeper, paths } = setup([{ name: "app", path: file }]);
    await keeper.ensureSnapshots();
    const result = await registry.execute(cmd("reset_config"));
    expect(result?.output).toContain("already matches the known-good snapshot");
    expect(readdirSync(paths.configs).filter((n) => n.includes("replaced"))).toEqual([]);
  });

  it("fails without an intact snapshot: none taken, or one damaged on disk", async () => {
    const file = jsonFile("nope");
    const { registry, keeper, paths } = setup([{ name: "app", path: file }]);
    const none = await registry.execute(cmd("reset_config"));
    expect(none).toMatchObject({ status: "failed" });
    expect(none?.output).toContain("no intact known-good snapshot of app");
    writeFileSync(file, "{}");
    await keeper.ensureSnapshots();
    writeFileSync(path.join(paths.configs, "app.good"), '{"tampered": true}');
    writeFileSync(file, "[]");
    expect((await registry.execute(cmd("reset_config")))?.status).toBe("failed");
    expect(readFileSync(file, "utf8")).toBe("[]");
  });
});

describe("validate_config and bless_config", () => {
  it("runs the configured validation argv with {path} replaced, reporting its exit code and output", async () => {
    const bin = tempDir();
    const seen = path.join(bin, "argv");
    const checker = writeScript(
      bin,
      "check-conf",
      `echo "$@" > "${seen}"; grep -q good "$2" && { echo "syntax ok"; exit 0; }; echo "bad line 3" >&2; exit 2`,
    );
    const file = path.join(tempDir(), "app.conf");
    writeFileSync(file, "good\n");
    const { registry } = setup([
      { name: "app", path: file, validate: [checker, "-t", "{path}", "--name={path}"] },
    ]);
    const ok = await registry.execute(cmd("validate_config"));
    expect(ok).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(ok?.output).toContain("syntax ok");
    expect(readFileSync(seen, "utf8").trim()).toBe(`-t ${file} --name=${file}`);
    writeFileSync(file, "bad\n");
    const bad = await registry.execute(cmd("validate_config"));
    expect(bad).toMatchObject({ status: "failed", exitCode: 2 });
    expect(bad?.output).toContain("is NOT valid");
    expect(bad?.output).toContain("bad line 3");
  });

  it("says whether the file matches its known-good snapshot", async () => {
    const file = jsonFile("{}");
    const { registry, keeper } = setup([{ name: "app", path: file }]);
    await keeper.ensureSnapshots();
    expect((await registry.execute(cmd("validate_config")))?.output).toContain(
      "matches the known-good snapshot",
    );
    writeFileSync(file, "[1]");
    expect((await registry.execute(cmd("validate_config")))?.output).toContain(
      "differs from the known-good snapshot",
    );
  });

  it("bless_config makes a valid current file the snapshot, and refuses an invalid one", async () => {
    const file = jsonFile('{"v": 1}');
    const { registry, keeper, paths } = setup([{ name: "app", path: file }]);
    await keeper.ensureSnapshots();
    writeFileSync(file, '{"v": 2}');
    expect((await registry.execute(cmd("bless_config")))?.status).toBe("succeeded");
    expect(readFileSync(path.join(paths.configs, "app.good"), "utf8")).toBe('{"v": 2}');
    expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 0 });
    writeFileSync(file, '{"v": ');
    const refused = await registry.execute(cmd("bless_config"));
    expect(refused?.status).toBe("failed");
    expect(refused?.output).toContain("does not validate, snapshot unchanged");
    expect(readFileSync(path.join(paths.configs, "app.good"), "utf8")).toBe('{"v": 2}');
  });

  it("refuses a target that is not a configured file, and each action the config leaves off", async () => {
    const { registry } = setup([{ name: "app", path: jsonFile("{}") }], { validate_config: true });
    expect((await registry.execute(cmd("validate_config", "/etc/shadow")))?.output).toBe(
      "unknown target /etc/shadow: not a config in this agent's config",
    );
    expect((await registry.execute(cmd("reset_config")))?.status).toBe("refused");
  });
});

/** Valid YAML that the line-by-line sanity check the agent used before refused. */
const VALID_YAML: Record<string, string> = {
  "a multi-line plain scalar": "description: a long sentence\n  that goes on over\n  three lines\nport: 80\n",
  "an a:b plain scalar": "url:\n  http://example.com:80/x\nratio: a:b\n",
  "a document that is one a:b scalar": "a:b\n",
  "a multi-line quoted scalar": 'motd: "first line\n  second line"\n',
  "a multi-line single-quoted scalar": "key: 'it''s\n  two lines'\n",
  "a complex key": "? complex key\n: value\n",
};

describe("YAML config files", () => {
  for (const [what, text] of Object.entries(VALID_YAML))
    it(`accepts ${what} and takes its known-good snapshot`, async () => {
      const file = path.join(tempDir(), "app.yaml");
      writeFileSync(file, text);
      const { registry, keeper, paths } = setup([{ name: "app", path: file }]);
      const result = await registry.execute(cmd("validate_config"));
      expect(result?.output).toContain("parses as YAML");
      expect(result?.status).toBe("succeeded");
      expect(await keeper.driftMetrics()).toEqual({ "config:app.drift": 0 });
      expect(readFileSync(path.join(paths.configs, "app.good"), "utf8")).toBe(text);
    });

  it("refuses duplicate keys, naming the line, and takes no snapshot of such a file", async () => {
    const file = path.join(tempDir(), "app.yml");
    writeFileSync(file, "server:\n  port: 80\n  host: a\n  port: 81\n");
    const { registry, keeper } = setup([{ name: "app", path: file }]);
    const result = await registry.execute(cmd("validate_config"));
    expect(result?.status).toBe("failed");
    expect(result?.output).toContain("not valid YAML: Map keys must be unique at line 4, column 3");
    expect(await keeper.driftMetrics()).toEqual({});
    expect(await yamlProblem("{a: 1, a: 2}")).toMatch(/^Map keys must be unique at line 1/);
  });

  it("names the line of a tab in indentation, a stray dedent, a line that is not key: value, and an open quote", async () => {
    expect(await yamlProblem("a:\n\tb: 1\n")).toMatch(/^Tabs are not allowed as indentation at line 2/);
    expect(await yamlProblem("a:\n    b: 1\n  c: 2\n")).toMatch(/at line 3, column 1$/);
    expect(await yamlProblem("a: 1\njust words\n")).toMatch(/^Implicit map keys .* at line 2, column 1$/);
    expect(await yamlProblem('a: "open\n')).toMatch(/^Missing closing "quote/);
  });
});
