/**
 * The Worker's environment, typed once and checked once per isolate at the entry point.
 */
import { z } from "zod";
import type { Db } from "./db/client";
import type { TokenScope } from "./db/schema";
import type { HostObject } from "./objects/host";
import type { OrgEvents } from "./objects/org-events";

export interface Env {
  DB: D1Database;
  /** One Durable Object per host (worker/objects/host): its reports, long-poll and history. */
  HOST: DurableObjectNamespace<HostObject>;
  /** One Durable Object per org (worker/objects/org-events): the open dashboards' events sockets. */
  ORG_EVENTS: DurableObjectNamespace<OrgEvents>;
  ASSETS?: Fetcher;
  /** An admin token of the default org, for bootstrapping (compared by hash). */
  SELFHEAL_ADMIN_TOKEN?: string;
  SELFHEAL_ENV?: string;
  /** The dashboard's public origin, for links in notifications (unset: messages carry no link). */
  SELFHEAL_PUBLIC_URL?: string;
  /** The first retry delay of a failed notification (default 30 s), doubled per attempt. */
  SELFHEAL_RETRY_BASE_MS?: string;
  /** Tenancy and limits (docs/api-shapes.md "Orgs", "Auth and limits"). */
  SELFHEAL_PLATFORM_TOKEN?: string;
  SELFHEAL_RATE_LIMIT?: string;
  SELFHEAL_RATE_LIMIT_PER_MINUTE?: string;
  SELFHEAL_AGENT_RATE_LIMIT_PER_MINUTE?: string;
  SELFHEAL_MAX_BODY_BYTES?: string;
  SELFHEAL_MAX_REPORT_BYTES?: string;
  /** Failed authentications per client IP and minute, counted per isolate (else the binding). */
  SELFHEAL_AUTH_FAILURES_PER_MINUTE?: string;
  SELFHEAL_SIGN_IN_STARTS_PER_MINUTE?: string;
  /** Ed25519 private key (PKCS8, base64) that signs commands for agents (ingest/command-signing.ts). */
  SELFHEAL_COMMAND_SIGNING_KEY?: string;
  /** Cloudflare Access in front of the dashboard: the team's domain (`<team>.cloudflareaccess.com`) and the application's AUD tag. */
  SELFHEAL_ACCESS_TEAM_DOMAIN?: string;
  SELFHEAL_ACCESS_AUD?: string;
  /** Where the team's signing keys are (default `https://<team domain>/cdn-cgi/access/certs`; tests point it at a local server). */
  SELFHEAL_ACCESS_CERTS_URL?: string;
  /** OpenID Connect sign-in: the issuer (found by discovery), this deployment's client id and secret, and the button's name. */
  SELFHEAL_OIDC_ISSUER?: string;
  SELFHEAL_OIDC_CLIENT_ID?: string;
  SELFHEAL_OIDC_CLIENT_SECRET?: string;
  SELFHEAL_OIDC_NAME?: string;
  RATE_LIMIT_API?: RateLimit;
  RATE_LIMIT_AGENT?: RateLimit;
  RATE_LIMIT_AUTH_FAILURES?: RateLimit;
}

/** Who is calling: resolved by the auth middleware from a token or a session. */
export interface Principal {
  scope: TokenScope;
  orgId: string;
  /** null for SELFHEAL_ADMIN_TOKEN, which has no row. */
  tokenId: string | null;
  /** Set for agent tokens: the only host they may act for. */
  hostId: string | null;
  name: string;
  /** The person acting: a user's session, or a token a user owns (null: a token of the org). */
  userId?: string | null;
  /** The dashboard session carrying the request (null: a bearer token). */
  sessionId?: string | null;
  /** The SELFHEAL_PLATFORM_TOKEN: may only manage orgs. */
  platform?: boolean;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { requestId: string; principal: Principal; db: Db };
}

const positiveInt = z.string().regex(/^[1-9]\d{0,8}$/, "a positive integer");

export const envSchema = z.object({
  DB: z.custom<D1Database>((v) => typeof v === "object" && v !== null && "prepare" in v, "a D1 binding"),
  HOST: z.custom<DurableObjectNamespace>(
    (v) => typeof v === "object" && v !== null && "idFromName" in v,
    "a Durable Object namespace binding (HostObject)",
  ),
  ORG_EVENTS: z.custom<DurableObjectNamespace>(
    (v) => typeof v === "object" && v !== null && "idFromName" in v,
    "a Durable Object namespace binding (OrgEvents)",
  ),
  ASSETS: z.custom<Fetcher>((v) => typeof v === "object" && v !== null, "an assets binding").optional(),
  SELFHEAL_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  SELFHEAL_ENV: z.string().optional(),
  SELFHEAL_PUBLIC_URL: z.url().optional(),
  SELFHEAL_RETRY_BASE_MS: z.string().regex(/^\d+$/, "milliseconds").optional(),
  SELFHEAL_PLATFORM_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  SELFHEAL_RATE_LIMIT: z.enum(["on", "off"]).optional(),
  SELFHEAL_RATE_LIMIT_PER_MINUTE: positiveInt.optional(),
  SELFHEAL_AGENT_RATE_LIMIT_PER_MINUTE: positiveInt.optional(),
  SELFHEAL_MAX_BODY_BYTES: positiveInt.optional(),
  SELFHEAL_MAX_REPORT_BYTES: positiveInt.optional(),
  SELFHEAL_AUTH_FAILURES_PER_MINUTE: positiveInt.optional(),
  SELFHEAL_SIGN_IN_STARTS_PER_MINUTE: positiveInt.optional(),
  SELFHEAL_COMMAND_SIGNING_KEY: z
    .string()
    .regex(
      /^\s*[A-Za-z0-9+/]{40,}={0,2}\s*$/,
      "an Ed25519 private key, PKCS8 DER in base64 (selfheal-agent keygen)",
    )
    .optional(),
  SELFHEAL_ACCESS_TEAM_DOMAIN: z
    .string()
    .regex(/^[a-z0-9-]+\.cloudflareaccess\.com$/, "<team>.cloudflareaccess.com")
    .optional(),
  SELFHEAL_ACCESS_AUD: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "the Access application's AUD tag (64 hex)")
    .optional(),
  SELFHEAL_ACCESS_CERTS_URL: z.url().optional(),
  SELFHEAL_OIDC_ISSUER: z
    .url()
    .refine((u) => /^https:/.test(u) || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(`${u}/`), {
      message: "an https issuer (plain http only on localhost)",
    })
    .optional(),
  SELFHEAL_OIDC_CLIENT_ID: z.string().min(1).max(256).optional(),
  SELFHEAL_OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  SELFHEAL_OIDC_NAME: z.string().min(1).max(64).optional(),
});

const checked = new WeakMap<object, string | null>();

/** Returns null when the environment is usable, else what is wrong with it (cached per env object). */
export function envProblem(env: unknown): string | null {
  if (typeof env !== "object" || env === null) return "no environment";
  const cached = checked.get(env);
  if (cached !== undefined) return cached;
  const result = envSchema.safeParse(env);
  const problem = result.success
    ? null
    : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  checked.set(env, problem);
  return problem;
}
