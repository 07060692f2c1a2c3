/**
 * What the fuzzer throws at each route, derived from the route's own OpenAPI entry (its body's
 * field names, its query parameters), so new routes and new fields are fuzzed without edits.
 */
import fc from "fast-check";

type Schema = { $ref?: string; properties?: Record<string, Schema>; anyOf?: Schema[]; allOf?: Schema[] };
export type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
export type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** The body's top-level field names (following $ref and unions one level). */
export function bodyFields(doc: Doc, op: Operation): string[] {
  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? doc.components?.schemas?.[s.$ref.split("/").pop() ?? ""] : s;
  const root = resolve(op.requestBody?.content?.["application/json"]?.schema);
  const variants = [root, ...(root?.anyOf ?? []), ...(root?.allOf ?? [])].map(resolve);
  return [...new Set(variants.flatMap((v) => Object.keys(v?.properties ?? {})))];
}

export const queryNames = (op: Operation) =>
  (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);

/** Values of every wrong kind: wrong types, huge and odd numbers, long and strange strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 0.1, 1e-320, 9_007_199_254_740_993n.toString()),
  fc.constantFrom(
    "",
    " ",
    "null",
    "0",
    "-1",
    "NaN",
    "1e999",
    "../../etc/passwd",
    "%00",
    "\u0000",
    "'; DROP TABLE hosts; --",
  ),
  fc.constantFrom("x".repeat(5000), "2026-13-45T25:61:61Z", "<script>alert(1)</script>", "\ud800"),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

/** A JSON body: arbitrary JSON, or an object with the route's own fields holding hostile values. */
export function bodyFor(fields: string[]): fc.Arbitrary<{ raw?: string; json?: unknown; type?: string }> {
  const known = fields.length > 0 ? fc.constantFrom(...fields) : fc.string({ maxLength: 10 });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .dictionary(fc.oneof(known, known, fc.string({ maxLength: 10 })), hostileValue, { maxKeys: 6 })
        .map((json) => ({ json })),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((raw) => ({ raw, type: "application/json" })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('{"a":', "[", "{}}", "\u0000", "")
        .map((raw) => ({ raw, type: "application/json" })),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 1 }).map((v) => ({ raw: JSON.stringify(v), type: "text/plain" })),
    },
  );
}

/** A path parameter: a real id of the caller's org, another org's, or anything at all. */
export function paramFor(own: string[], other: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...own),
    fc.constantFrom(...other),
    fc.string({ maxLength: 70 }),
    fc.constantFrom(
      "x".repeat(300),
      "..",
      "%2e%2e",
      "0",
      "-1",
      "1e999",
      "null",
      "tok_",
      "\u00e9\u00e8",
      "a b",
    ),
  );
}

export function queryFor(names: string[]): fc.Arbitrary<Record<string, string>> {
  const name =
    names.length > 0
      ? fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 6 }))
      : fc.string({ maxLength: 6 });
  return fc.dictionary(
    name,
    hostileValue.map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
    { maxKeys: 4 },
  );
}
