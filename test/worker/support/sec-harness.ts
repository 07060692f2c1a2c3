/**
 * Helpers for the tenancy and limits security tests: the real Worker's fetch handler with extra
 * configuration (a platform token, small limits), and audit reads.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../../worker/index";
import { type CallInit, json, requestOf, sql } from "./harness";

export const PLATFORM = "test-platform-token-0123456789abcdef-0123";

/** Calls the Worker with `vars` added to its environment (as wrangler vars/secrets would be). */
export async function callWith(vars: Record<string, unknown>, path: string, init: CallInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(requestOf(path, init) as never, { ...env, ...vars } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** As the platform admin (SELFHEAL_PLATFORM_TOKEN configured). */
export const asPlatform = (path: string, init: CallInit = {}) =>
  callWith({ SELFHEAL_PLATFORM_TOKEN: PLATFORM }, path, { token: PLATFORM, ...init });

export interface AuditEntry {
  id: string;
  at: string;
  actor: { tokenId: string | null; name: string; scope: string };
  action: string;
  targetType: string;
  targetId: string | null;
  summary: string;
  result: string;
}

export async function auditOf(admin: string, query = "") {
  return json<{ items: AuditEntry[]; nextCursor: string | null }>(`/api/v1/audit${query}`, { token: admin });
}

export const actions = async (admin: string, query = "") =>
  (await auditOf(admin, query)).items.map((e) => e.action);

export async function rowCount(table: string, orgId?: string): Promise<number> {
  const [row] = orgId
    ? await sql(`SELECT count(*) AS n FROM ${table} WHERE org_id = ?`, orgId)
    : await sql(`SELECT count(*) AS n FROM ${table}`);
  return Number(row.n);
}
