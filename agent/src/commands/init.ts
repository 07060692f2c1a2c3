/**
 * `selfheal-agent init`: writes a first config an operator can read and edit. Safe defaults: only
 * the read-only health check is enabled; restarts and the other actions are listed, off. The
 * systemd units and docker containers running here are offered as commented-out service entries,
 * never enabled by themselves. The file holds the enroll token, so it is written 0600 and never
 * over an existing one without --force.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { entityName } from "../../protocol";
import { ACTION_NAMES } from "../actions/names";
import type { ParsedArgs } from "../args";
import { execArgv } from "../services/exec";

export const DEFAULT_INIT_FILE = "selfheal-agent.json";

/** Units that are the system's own plumbing: restarting them heals nothing an operator runs. */
const PLUMBING =
  /^(systemd-|dbus|getty@|serial-getty@|user@|user-runtime-dir@|polkit|udisks|upower|accounts-daemon|modprobe@)/;

export interface Offered {
  name: string;
  kind: "systemd" | "docker";
  unit?: string;
  container?: string;
}

/** The running systemd services and docker containers, as service entries (nothing where the tool is missing). */
export async function detectServices(): Promise<Offered[]> {
  const [units, containers] = await Promise.all([
    execArgv(
      [
        "systemctl",
        "list-units",
        "--type=service",
        "--state=running",
        "--no-legend",
        "--plain",
        "--no-pager",
      ],
      { timeoutMs: 5_000 },
    ),
    execArgv(["docker", "ps", "--format", "{{.Names}}"], { timeoutMs: 5_000 }),
  ]);
  const lines = (r: { code: number | null; stdout: string }) =>
    r.code === 0
      ? r.stdout
          .split("\n")
          .map((l) => l.trim().split(/\s+/)[0])
          .filter(Boolean)
      : [];
  const offered: Offered[] = [];
  for (const unit of lines(units)) {
    const name = unit.replace(/\.service$/, "");
    if (!PLUMBING.test(unit) && entityName.safeParse(name).success)
      offered.push({ name, kind: "systemd", unit });
  }
  for (const container of lines(containers))
    if (entityName.safeParse(container).success) offered.push({ name: container, kind: "docker", container });
  return offered.slice(0, 50);
}

const json = (v: unknown) => JSON.stringify(v);

/** The commented config (JSON with comments; the agent reads it as is). */
export function initConfigText(opts: {
  server: string;
  token: string;
  name?: string;
  offered: Offered[];
}): string {
  const schema = new URL("./config.schema.json", import.meta.url);
  const services = opts.offered.length
    ? opts.offered
        .map(
          (s) =>
            `    // { ${Object.entries(s)
              .map(([k, v]) => `${json(k)}: ${json(v)}`)
              .join(", ")} },`,
        )
        .join("\n")
    : '    // nothing detected: add {"name", "kind": "systemd" | "docker" | "process", ...} entries';
  const actions = ACTION_NAMES.map((a) => `    ${json(a)}: ${a === "health_check"}`).join(",\n");
  return `{
  // The JSON Schema of this file, for editors (shipped with the agent).
  "$schema": ${json(existsSync(fileURLToPath(schema)) ? schema.href : "config.schema.json")},
  // The selfheal server (the dashboard's address) and the enroll token it gave this host.
  // SELFHEAL_SERVER / SELFHEAL_TOKEN / SELFHEAL_NAME / SELFHEAL_STATE_DIR override these.
  "server": ${json(opts.server.replace(/\/+$/, ""))},
  "token": ${json(opts.token)},
  ${opts.name ? "" : "// "}"name": ${json(opts.name ?? "host name (default: this machine's hostname)")},
  // Seconds between reports.
  "interval": 30,
  // The agent's identity (host key, agent token) and spool; the systemd unit and the container
  // image set SELFHEAL_STATE_DIR=/var/lib/selfheal-agent instead.
  // "stateDir": "~/.selfheal-agent",
  // The services to watch and heal. Found running on this host: uncomment the ones you want.
  "services": [
${services}
  ],
  // What the server may ask this host to do. Only the read-only health check is on; turn an
  // action on (true), or limit a service action to some services ({"services": ["nginx"]}).
  "actions": {
${actions}
  }
}
`;
}

export async function writeInitConfig(args: ParsedArgs): Promise<number> {
  const file = path.resolve(args.config ?? DEFAULT_INIT_FILE);
  if (existsSync(file) && !args.force) {
    process.stderr.write(`selfheal-agent: ${file} exists; --force replaces it\n`);
    return 73; // EX_CANTCREAT
  }
  let url: URL;
  try {
    url = new URL(args.server ?? "");
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    process.stderr.write(`selfheal-agent: --server must be an http(s) URL, not "${args.server}"\n`);
    return 64;
  }
  if (args.name && !entityName.safeParse(args.name).success) {
    process.stderr.write(`selfheal-agent: --name: use letters, digits and . _ : @ - only\n`);
    return 64;
  }
  const text = initConfigText({
    server: url.href,
    token: args.token ?? "",
    name: args.name,
    offered: await detectServices(),
  });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode: 0o600 });
  process.stdout.write(
    `wrote ${file}\nnext: edit it (services, actions), then: selfheal-agent run --config ${file}\n`,
  );
  return 0;
}
