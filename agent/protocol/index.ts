/**
 * The agent protocol, version 1: the only contract between a host agent and the edge.
 * Both sides validate with these schemas, so a field changes here or nowhere.
 *
 *   POST /api/v1/agent/enroll  (enroll token)  EnrollRequest  -> EnrollResponse
 *   POST /api/v1/agent/refresh (host key proof) RefreshRequest -> EnrollResponse
 *   POST /api/v1/agent/report  (agent token)   ReportRequest  -> ReportResponse
 *
 * One report per interval carries samples (many, when backfilling), the current state of every
 * configured service and the results of commands; its response carries the commands queued for
 * the host and the settings the agent should use. Times are ISO-8601 UTC strings on the wire.
 */
// zod/mini, imported as a namespace so that the agent's bundle keeps only what it uses; the Worker
// derives its OpenAPI-documented schemas from these (worker/lib/wire.ts).
import * as z from "zod/mini";
import { line, multiline } from "./text";

export const PROTOCOL_VERSION = 1 as const;

/**
 * Limits that keep what one report costs the edge bounded whatever it carries (bench:report-cost
 * holds the worst report to 10× a normal one). The agent batches its backlog within them.
 */
export const LIMITS = {
  /** Body bytes the edge accepts for a report; the agent's batches stay under it. */
  reportBytes: 256 * 1024,
  /** A backfill of 500 samples at the default 10 s interval is 83 minutes of data. */
  samplesPerReport: 500,
  servicesPerReport: 200,
  resultsPerReport: 50,
  // cpu, memory, disk, up to 40 mounts, network, and cpu + rss for up to 100 services
  metricsPerSample: 256,
  metricNameChars: 64,
  outputChars: 4096,
  detailChars: 500,
  checksPerReport: 200,
  checkOutputChars: 500,
  cachesPerReport: 32,
  logTailLines: 20,
  logLineChars: 300,
  gapsPerReport: 50,
  /** No action runs longer than its 10-minute timeout: a day leaves room and keeps start times sane. */
  resultDurationMs: 86_400_000,
  /** How far ahead of the edge's clock a sample or result time may be (an agent's clock drifts). */
  clockSkewMs: 5 * 60_000,
} as const;

const isoTime = z.iso.datetime({ offset: true });
/** Host, service and other configured names: what may travel as a target on the wire. */
export const entityName = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/,
      "use letters, digits and . _ : @ - only, starting with a letter or digit",
    ),
  );
const name = entityName;

/**
 * Metric names are dotted or colon-separated words: cpu, memory, disk, disk:/var, load1, net.rx ...
 * One pattern holds the length too (1 to 64 characters): it runs on every key of every sample, and
 * three checks a key made ~10 % of a report's validation in the Worker (zod without its JIT there).
 */
export const metricName = z
  .string()
  .check(
    z.regex(
      new RegExp(`^[A-Za-z0-9_.:/-]{1,${LIMITS.metricNameChars}}$`),
      `metric names are 1 to ${LIMITS.metricNameChars} letters, digits and _ . : / - only`,
    ),
  );

export const metricsSchema = z
  .record(metricName, z.number())
  .check(
    z.refine(
      (m) => Object.keys(m).length <= LIMITS.metricsPerSample,
      `at most ${LIMITS.metricsPerSample} metrics a sample`,
    ),
  );

export const sampleSchema = z.strictObject({ ts: isoTime, metrics: metricsSchema });

export const serviceKinds = ["process", "systemd", "docker", "launchd", "windows", "kubernetes"] as const;
export const serviceStatuses = ["up", "down", "unknown"] as const;

export const serviceStateSchema = z.strictObject({
  name,
  kind: z.enum(serviceKinds),
  status: z.enum(serviceStatuses),
  detail: z.optional(line(LIMITS.detailChars)),
  pid: z.optional(z.number().check(z.int(), z.positive())),
  /** Whether the agent stopped it on purpose: such a service is not "down". */
  stopped: z.optional(z.boolean()),
  /** A down service's last output lines (a process the agent started): crash evidence. */
  logTail: z.optional(z.array(line(LIMITS.logLineChars)).check(z.maxLength(LIMITS.logTailLines))),
});

export const resultStatuses = ["succeeded", "failed", "refused", "timed_out"] as const;

export const commandResultSchema = z.strictObject({
  commandId: z.string().check(z.minLength(1), z.maxLength(64)),
  status: z.enum(resultStatuses),
  exitCode: z.optional(z.nullable(z.number().check(z.int()))),
  output: multiline(LIMITS.outputChars),
  durationMs: z.number().check(z.int(), z.gte(0), z.lte(LIMITS.resultDurationMs)),
  finishedAt: isoTime,
});

/**
 * What an agent can do, read from its local config: the actions it enables (a service action may
 * be limited to some services) and the names of its configured services, caches, configs and
 * scripts. The dashboard offers only these and the edge queues nothing else for the host. Sent
 * with the first report after each start (the config is read at start), absent from the rest.
 */
export const capabilitiesSchema = z.strictObject({
  actions: z.array(entityName).check(z.maxLength(32)),
  /** A service action limited to some services: its name -> those services. */
  limits: z.optional(z.record(entityName, z.array(entityName).check(z.maxLength(200)))),
  services: z.array(entityName).check(z.maxLength(200)),
  caches: z.array(entityName).check(z.maxLength(32)),
  configs: z.array(entityName).check(z.maxLength(16)),
  scripts: z.array(entityName).check(z.maxLength(64)),
});

export const hostFactsSchema = z.strictObject({
  hostname: z.optional(line(255)),
  os: z.optional(line(128)),
  platform: z.optional(line(64)),
  arch: z.optional(line(32)),
  release: z.optional(line(128)),
  cpus: z.optional(z.number().check(z.int(), z.positive(), z.lte(4096))),
  memTotalBytes: z.optional(z.number().check(z.int(), z.nonnegative())),
  agentVersion: z.optional(line(32)),
  capabilities: z.optional(capabilitiesSchema),
});

/**
 * Host keys: an agent makes an Ed25519 pair at its first enrolment and sends the public key (raw
 * 32 bytes, base64). From then on it proves it is that host by signing canonicalKeyProof(name, at):
 * to enrol again under its name, or to get a fresh agent token when its own is refused.
 */
export const hostPublicKeySchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9+/]{43}=$/, "an Ed25519 public key: 32 bytes, base64"));
export const keyProofSchema = z.strictObject({
  at: isoTime,
  signature: z.string().check(z.regex(/^[A-Za-z0-9+/]{86}==$/, "64 bytes, base64")),
});

/** The bytes a key proof signs: the host's name and the time, which the edge wants recent and new. */
export function canonicalKeyProof(hostName: string, at: string): string {
  return JSON.stringify(["selfheal-host-key-v1", hostName, at]);
}

export const enrollRequestSchema = z.extend(hostFactsSchema, {
  name,
  /** Used when the host is created; an enroll token limited to host groups requires one of them. */
  group: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  publicKey: z.optional(hostPublicKeySchema),
  /** Required with publicKey: proves the sender holds the key. */
  proof: z.optional(keyProofSchema),
});
export const enrollResponseSchema = z.object({ hostId: z.string(), agentToken: z.string() });

/** POST /api/v1/agent/refresh (no bearer token: the proof is the credential) -> EnrollResponse. */
export const refreshRequestSchema = z.strictObject({
  hostId: z.string().check(z.minLength(1), z.maxLength(64)),
  name,
  proof: keyProofSchema,
});

export const checkStatuses = ["ok", "warning", "critical", "unknown"] as const;

/** The latest text of a custom check; `name` is its metric's middle part: check:<name>.status. */
export const checkOutputSchema = z.strictObject({
  name,
  status: z.enum(checkStatuses),
  output: multiline(LIMITS.checkOutputChars),
});

/**
 * A configured cache (clear_cache's targets) as the agent last measured it: the mount holding it,
 * that mount's filesystem type, and its size (absent until measured). The edge's selectors pick
 * the caches on a full mount from these, largest first.
 */
export const cacheFactSchema = z.strictObject({
  name,
  mount: line(1024).check(z.minLength(1)),
  fsType: z.optional(line(64)),
  bytes: z.optional(z.number().check(z.int(), z.nonnegative())),
});

export const reportReasons = ["interval", "event", "command", "backfill"] as const;

/**
 * Samples (and results) the agent had to drop: its offline spool reached its size cap during an
 * outage, so `samples` samples taken between `from` and `to` will never arrive.
 */
export const gapSchema = z
  .strictObject({
    from: isoTime,
    to: isoTime,
    samples: z.number().check(z.int(), z.gte(0)),
    results: z.optional(z.number().check(z.int(), z.gte(0))),
  })
  .check(
    z.refine((g) => Date.parse(g.from) <= Date.parse(g.to), {
      message: "from must not be after to",
      path: ["from"],
    }),
  );

export const reportRequestSchema = z.strictObject({
  protocol: z.literal(PROTOCOL_VERSION),
  agentVersion: z.optional(line(32)),
  reason: z._default(z.enum(reportReasons), "interval"),
  samples: z.array(sampleSchema).check(z.maxLength(LIMITS.samplesPerReport)),
  /** The full list of configured services; omit it (e.g. in a backfill) to leave their state as it was. */
  services: z.optional(z.array(serviceStateSchema).check(z.maxLength(LIMITS.servicesPerReport))),
  results: z._default(z.array(commandResultSchema).check(z.maxLength(LIMITS.resultsPerReport)), []),
  /** The latest output of each custom check that has run; omit it to keep the last ones sent. */
  checks: z.optional(z.array(checkOutputSchema).check(z.maxLength(LIMITS.checksPerReport))),
  /** The configured caches with their mount and size; omit it when the agent has none. */
  caches: z.optional(z.array(cacheFactSchema).check(z.maxLength(LIMITS.cachesPerReport))),
  /** What the agent's spool dropped at its size cap since the last accepted report (absent: nothing). */
  gaps: z.optional(z.array(gapSchema).check(z.maxLength(LIMITS.gapsPerReport))),
  /** What the agent can do; sent once per start, absent from steady reports. */
  capabilities: z.optional(capabilitiesSchema),
});

const percent = () => z.number().check(z.gte(0), z.lte(100));
/** The seed's alert thresholds, in percent, under the seed's own names. */
export const alertThresholdsSchema = z.strictObject({
  cpu_warning: percent(),
  cpu_critical: percent(),
  memory_warning: percent(),
  memory_critical: percent(),
  disk_warning: percent(),
  disk_critical: percent(),
});

/** Actions are named on the wire by string: an agent refuses, and reports, any name it has no handler for. */
export const commandSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  action: z.string().check(z.minLength(1), z.maxLength(64)),
  target: z.optional(z.string().check(z.maxLength(128))),
  params: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  issueId: z.optional(z.nullable(z.string())),
  expiresAt: isoTime,
  /**
   * Ed25519 over canonicalCommand(command, hostId), base64; sent only by an edge holding a
   * signing key. An agent with `commandSigningKey` refuses a command without a valid one.
   */
  signature: z.optional(z.string().check(z.maxLength(200))),
});

/**
 * The bytes a command signature covers: the fields that decide what runs, where and until when,
 * in a fixed order, plus the host it is for (so a command signed for one host cannot be replayed
 * to another). params are sorted by key.
 */
export function canonicalCommand(
  cmd: Pick<Command, "id" | "action" | "target" | "params" | "expiresAt">,
  hostId: string,
): string {
  const params = cmd.params
    ? Object.fromEntries(Object.entries(cmd.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : null;
  return JSON.stringify([
    "selfheal-command-v1",
    cmd.id,
    cmd.action,
    cmd.target ?? null,
    params,
    hostId,
    cmd.expiresAt,
  ]);
}

export const agentSettingsSchema = z.object({
  enabled: z.boolean(),
  intervalSeconds: z.number().check(z.int(), z.gte(1), z.lte(3600)),
  thresholds: alertThresholdsSchema,
  /**
   * The actions the org's safeguards let the agent take alone while the edge is out of reach
   * (local autonomy); absent from an older edge, when only the local config decides.
   */
  unattended: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(32))),
});

export const reportResponseSchema = z.object({
  commands: z.array(commandSchema),
  settings: agentSettingsSchema,
  serverTime: isoTime,
  /**
   * New metric names the edge refused because the host reports too many distinct ones (the agent
   * logs them); absent when none was.
   */
  refusedMetrics: z.optional(z.array(z.string())),
  /** The edge holds GET /api/v1/agent/commands this long; absent from an edge without the long-poll. */
  longPollSeconds: z.optional(z.number().check(z.int(), z.gte(1), z.lte(25))),
  /** The edge's command WebSocket (a path); absent from an edge without it (the long-poll then). */
  commandSocket: z.optional(z.string().check(z.regex(/^\/[\w/.-]{1,200}$/))),
});

export type Sample = z.infer<typeof sampleSchema>;
export type ServiceState = z.infer<typeof serviceStateSchema>;
export type ServiceKind = (typeof serviceKinds)[number];
export type CheckOutput = z.infer<typeof checkOutputSchema>;
export type CacheFactWire = z.infer<typeof cacheFactSchema>;
export type CommandResult = z.infer<typeof commandResultSchema>;
export type HostFacts = z.infer<typeof hostFactsSchema>;
export type Capabilities = z.infer<typeof capabilitiesSchema>;
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;
export type KeyProof = z.infer<typeof keyProofSchema>;
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;
export type ReportRequest = z.input<typeof reportRequestSchema>;
export type ReportResponse = z.infer<typeof reportResponseSchema>;
export type Command = z.infer<typeof commandSchema>;
export type Gap = z.infer<typeof gapSchema>;
export type AgentSettings = z.infer<typeof agentSettingsSchema>;
export type AlertThresholds = z.infer<typeof alertThresholdsSchema>;
