/**
 * The check and log config sections: `"checks"` (Nagios-compatible plugins), `"logs"` (followed files
 * with regex patterns), and the keys of the launchd, windows and kubernetes service kinds.
 * Kept apart from schema.ts so the core stays small.
 */
import * as z from "zod/mini";

/** Part of a metric name (check:<name>.status, log:<name>.<metric>), so metric-name characters only. */
const metricPart = z
  .string()
  .check(z.minLength(1), z.maxLength(32), z.regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, _ and - only"));

const regex = z.string().check(
  z.refine((re) => {
    try {
      new RegExp(re);
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression"),
);

const checkSchema = z.strictObject({
  name: metricPart,
  /** argv of a Nagios plugin; never run through a shell. */
  command: z
    .array(z.string().check(z.minLength(1)))
    .check(z.minLength(1, "needs at least the program to run")),
  interval: z._default(z.number().check(z.int(), z.gte(1), z.lte(86_400)), 60),
  timeoutMs: z._default(z.number().check(z.int(), z.gte(100), z.lte(300_000)), 10_000),
  /** The configured service this check speaks for: its metrics become check:<service>.<name>.* */
  service: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

const logSchema = z
  .strictObject({
    name: metricPart,
    path: z.string().check(z.minLength(1)),
    patterns: z
      ._default(z.record(metricPart, regex), {})
      .check(z.refine((p) => Object.keys(p).length <= 32, "at most 32 patterns")),
    /** The built-in failure signatures (oom, segfault, too_many_files, stack_traces); on by default. */
    builtin: z._default(z.boolean(), true),
  })
  .check(
    z.superRefine((l, ctx) => {
      const longest = Math.max(14, ...Object.keys(l.patterns).map((k) => k.length));
      // log:<name>.<metric>_per_min must fit the protocol's 64-character metric names
      if (l.name.length + longest > 51)
        ctx.addIssue({
          code: "custom",
          message: "name plus the longest pattern name: 51 characters at most",
        });
    }),
  );

/** Two metrics (count and rate) per pattern, four built-ins: kept well under a sample's 512 metrics. */
const LOG_METRICS_MAX = 160;

const uniqueNames = (what: string) => (list: { name: string }[], ctx: z.core.$RefinementCtx) => {
  const seen = new Set<string>();
  list.forEach((e, i) => {
    if (seen.has(e.name))
      ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate ${what} "${e.name}"` });
    seen.add(e.name);
  });
};

/** Spread into the config object schema. */
export const checksShape = {
  checks: z
    ._default(z.array(checkSchema).check(z.maxLength(32)), [])
    .check(z.superRefine(uniqueNames("check"))),
  logs: z._default(z.array(logSchema).check(z.maxLength(16)), []).check(
    z.superRefine(uniqueNames("log")),
    z.refine(
      (logs) =>
        logs.reduce((n, l) => n + 2 * (Object.keys(l.patterns).length + (l.builtin ? 4 : 0)), 0) <=
        LOG_METRICS_MAX,
      `at most ${LOG_METRICS_MAX} log metrics in all (two per pattern, eight for the built-ins)`,
    ),
  ),
};

const nonEmpty = () => z.optional(z.string().check(z.minLength(1)));

/** Spread into the service schema: the keys of the service kinds that live outside Linux. */
export const serviceKindShape = {
  /** launchd: the job label (default: the service name) and domain (default "system"). */
  label: nonEmpty(),
  domain: nonEmpty(),
  /** windows: the service name as `sc.exe` knows it (default: the service name). */
  serviceName: nonEmpty(),
  /** kubernetes: a kubectl context, a namespace, and a deployment and/or a pod label selector. */
  context: nonEmpty(),
  namespace: nonEmpty(),
  deployment: nonEmpty(),
  selector: nonEmpty(),
};

const KIND_KEYS: Record<string, readonly (keyof typeof serviceKindShape)[]> = {
  launchd: ["label", "domain"],
  windows: ["serviceName"],
  kubernetes: ["context", "namespace", "deployment", "selector"],
};

/** Each kind takes only its own keys; kubernetes needs something to act on. Called from the service superRefine. */
export function checkServiceKind(
  svc: { kind: string } & Record<string, unknown>,
  ctx: z.core.$RefinementCtx,
): void {
  for (const [kind, keys] of Object.entries(KIND_KEYS))
    if (svc.kind !== kind)
      for (const key of keys)
        if (svc[key] !== undefined)
          ctx.addIssue({ code: "custom", path: [key], message: `only ${kind} services take ${key}` });
  if (svc.kind === "kubernetes" && !svc.deployment && !svc.selector)
    ctx.addIssue({ code: "custom", message: "a kubernetes service needs deployment or selector" });
}

/** Checks that name a service must name a configured one. Called from the config superRefine. */
export function checkChecks(
  cfg: { checks: CheckDef[]; services: { name: string }[] },
  ctx: z.core.$RefinementCtx,
): void {
  const services = new Set(cfg.services.map((s) => s.name));
  cfg.checks.forEach((c, i) => {
    if (c.service && !services.has(c.service))
      ctx.addIssue({
        code: "custom",
        path: ["checks", i, "service"],
        message: `"${c.service}" is not a configured service`,
      });
    // it becomes part of the metric name check:<service>.<name>.status
    else if (c.service && !/^[A-Za-z0-9_-]{1,32}$/.test(c.service))
      ctx.addIssue({
        code: "custom",
        path: ["checks", i, "service"],
        message: "a check's service must be named with letters, digits, _ and - only (32 at most)",
      });
  });
}

export type CheckDef = z.infer<typeof checkSchema>;
export type LogDef = z.infer<typeof logSchema>;

export interface ChecksConfig {
  checks: CheckDef[];
  logs: LogDef[];
}
