/**
 * Property-based fuzzing (fast-check) of every documented route's body, path parameters and
 * query: whatever arrives, the answer is never a 5xx, every refusal is the one JSON error shape,
 * a refused request leaves the org's tables exactly as they were, and nothing of another org
 * ever comes back. Seeded: VITE_FUZZ_SEED=<n> replays a run (printed on failure); VITE_FUZZ_RUNS=<n> runs more.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { errorCodes } from "../../worker/lib/errors";
import { type Seeded, seedOrg } from "./support/auth-matrix-seed";
import {
  bodyFields,
  bodyFor,
  type Doc,
  type Operation,
  paramFor,
  queryFor,
  queryNames,
} from "./support/fuzz-arbitraries";
import { call, json, orgSamples, sql } from "./support/harness";
import { callWith, PLATFORM } from "./support/sec-harness";

// Vite passes VITE_* variables from the shell into import.meta.env, also inside workerd.
const vars = (import.meta as { env?: Record<string, string | undefined> }).env ?? {};
const TOTAL_RUNS = Number(vars.VITE_FUZZ_RUNS ?? 300);
const SEED = Number(vars.VITE_FUZZ_SEED ?? Date.now() % 1_000_000);

let a: Seeded;
let b: Seeded;
let doc: Doc;
let fingerprintSql = "";

/** One query summing up every table with an org_id: counts plus whatever says "changed". */
async function buildFingerprint() {
  const tables = await sql(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'd1_%'",
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const cols = (await sql(`SELECT name FROM pragma_table_info('${name}')`)).map((c) => String(c.name));
    if (!cols.includes("org_id")) continue;
    // last_used_at is touched by authentication itself, once a minute: not a write by the request.
    const changed = ["updated_at", "status", "revoked_at", "enabled", "host_group", "config"].filter((c) =>
      cols.includes(c),
    );
    const summary = changed.map((c) => `coalesce(group_concat(${c}), '')`).join(" || '|' || ") || "''";
    parts.push(`(SELECT count(*) || ':' || ${summary} FROM "${name}" WHERE org_id = ?1) AS "${name}"`);
  }
  parts.push(
    "(SELECT count(*) || ':' || coalesce(group_concat(status), '') FROM service_states WHERE host_id IN (SELECT id FROM hosts WHERE org_id = ?1)) AS services",
  );
  fingerprintSql = `SELECT ${parts.join(", ")}`;
}

// samples live in the host objects (worker/objects/host), counted there
const fingerprint = async (org: Seeded) => ({
  ...(await sql(fingerprintSql, org.t.orgId))[0],
  samples: await orgSamples(org.t.orgId),
});

function tokenFor(path: string, method: string): string {
  if (path === "/api/v1/agent/report" || path === "/api/v1/agent/commands") return a.agentToken;
  if (path === "/api/v1/agent/enroll") return a.tokens.enroll;
  if (path.startsWith("/api/v1/orgs")) return PLATFORM;
  return method === "GET" ? a.tokens.read : a.t.admin;
}

beforeAll(async () => {
  [a, b] = [await seedOrg("fuzz-a"), await seedOrg("fuzz-b")];
  doc = await json<Doc>("/api/openapi.json", { token: a.t.admin });
  await buildFingerprint();
}, 60_000);

describe("fuzzing every route", () => {
  it("never answers 5xx, always in the one error shape, and refusals write nothing", {
    timeout: 600_000,
  }, async () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        path,
        method: method.toUpperCase(),
        op: op as Operation,
      })),
    );
    const runs = Math.max(2, Math.ceil(TOTAL_RUNS / routes.length));
    let total = 0;
    for (const [i, route] of routes.entries()) {
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const input = fc.record({
        params: fc.tuple(...params.map(() => paramFor(Object.values(a.ids), Object.values(b.ids)))),
        query: queryFor(queryNames(route.op)),
        body: bodyFor(bodyFields(doc, route.op)),
      });
      const property = fc.asyncProperty(input, async ({ params: values, query, body }) => {
        let url = route.path;
        params.forEach((p, k) => {
          url = url.replace(`{${p}}`, encodeURIComponent(values[k] as string));
        });
        const qs = new URLSearchParams(query).toString();
        if (qs) url += `?${qs}`;
        const before = await fingerprint(a);
        const withBody = route.method !== "GET" && route.method !== "DELETE";
        const init = {
          method: route.method,
          token: tokenFor(route.path, route.method),
          raw: withBody ? (body.raw ?? JSON.stringify(body.json)) : undefined,
          headers: withBody ? { "content-type": body.type ?? "application/json" } : undefined,
        };
        const res = route.path.startsWith("/api/v1/orgs")
          ? await callWith({ SELFHEAL_PLATFORM_TOKEN: PLATFORM }, url, init)
          : await call(url, init);
        const text = await res.text();
        const label = `${route.method} ${url} (${init.raw?.slice(0, 200)})`;
        expect(res.status, `${label} → ${text.slice(0, 300)}`).toBeLessThan(500);
        // The platform admin lists every org by design; everyone else sees only their own.
        const markers = route.path.startsWith("/api/v1/orgs") ? [] : b.markers;
        for (const marker of markers) {
          if (!url.includes(marker)) expect(text.includes(marker), `${label} leaked ${marker}`).toBe(false);
        }
        if (res.status >= 400) {
          const error = (JSON.parse(text) as { error: { code: string; message: string; requestId: string } })
            .error;
          expect(errorCodes, label).toContain(error.code);
          expect(error.requestId).toMatch(/^req_/);
          expect(typeof error.message).toBe("string");
          expect(await fingerprint(a), `${label} was refused (${res.status}) but wrote`).toEqual(before);
        }
      });
      try {
        await fc.assert(property, { numRuns: runs, seed: SEED + i, endOnFailure: true });
      } catch (err) {
        throw new Error(
          `fuzzing ${route.method} ${route.path} failed; replay with VITE_FUZZ_SEED=${SEED}\n${err}`,
        );
      }
      total += runs;
    }
    console.log(`fuzz: ${routes.length} routes × ${runs} runs = ${total} requests (seed ${SEED})`);
    expect(total).toBeGreaterThanOrEqual(TOTAL_RUNS);
  });
});
