/**
 * The Worker's environment, typed once and checked once per isolate at the entry point.
 */
import { z } from "zod";
import type { Db } from "./db/client";
import type { TokenScope } from "./db/schema";

export interface Env {
  DB: D1Database;
  ASSETS?: Fetcher;
  /** An admin token of the default org, for bootstrapping (compared by hash). */
  SELFHEAL_ADMIN_TOKEN?: string;
  SELFHEAL_ENV?: string;
  /** The dashboard's public origin, for links in notifications (else the request's origin). */
  SELFHEAL_PUBLIC_URL?: string;
  /** The first retry delay of a failed notification (default 30 s), doubled per attempt. */
  SELFHEAL_RETRY_BASE_MS?: string;
}

/** Who is calling: resolved by the auth middleware from a token or the session cookie. */
export interface Principal {
  scope: TokenScope;
  orgId: string;
  /** null for SELFHEAL_ADMIN_TOKEN, which has no row. */
  tokenId: string | null;
  /** Set for agent tokens: the only host they may act for. */
  hostId: string | null;
  name: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { requestId: string; principal: Principal; db: Db };
}

const envSchema = z.object({
  DB: z.custom<D1Database>((v) => typeof v === "object" && v !== null && "prepare" in v, "a D1 binding"),
  ASSETS: z.custom<Fetcher>((v) => typeof v === "object" && v !== null, "an assets binding").optional(),
  SELFHEAL_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  SELFHEAL_ENV: z.string().optional(),
  SELFHEAL_PUBLIC_URL: z.url().optional(),
  SELFHEAL_RETRY_BASE_MS: z.string().regex(/^\d+$/, "milliseconds").optional(),
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
