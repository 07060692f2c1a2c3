import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import * as protocol from "../../agent/protocol";
import * as text from "../../agent/protocol/text";
import * as wire from "../../worker/lib/wire";

const ts = "2026-01-01T00:00:00Z";
const later = "2026-01-01T00:10:00Z";

/** Each schema the Worker takes from the protocol, beside the protocol's own, with inputs to try. */
const pairs: [string, z.ZodType, { safeParse(v: unknown): unknown }, unknown[]][] = [
  [
    "reportRequest",
    wire.reportRequestSchema,
    protocol.reportRequestSchema,
    [
      { protocol: 1, samples: [] },
      { protocol: 1, samples: [{ ts, metrics: { cpu: 12.5, "disk:/var": 40 } }], results: [] },
      { protocol: 2, samples: [] },
      { protocol: 1, samples: [{ ts: "yesterday", metrics: {} }] },
      { protocol: 1, samples: [], gaps: [{ from: later, to: ts, samples: 3 }] },
      {
        protocol: 1,
        samples: [],
        services: [{ name: "web", kind: "process", status: "down", detail: "exit\u0007 1\nnow" }],
      },
      { protocol: 1, samples: [], extra: true },
    ],
  ],
  [
    "enrollRequest",
    wire.enrollRequestSchema,
    protocol.enrollRequestSchema,
    [{ name: "web-1", cpus: 4 }, { name: "-bad" }, { name: "web-1", cpus: 0 }, { name: "a", publicKey: "x" }],
  ],
  [
    "refreshRequest",
    wire.refreshRequestSchema,
    protocol.refreshRequestSchema,
    [{ hostId: "h1", name: "web", proof: { at: ts, signature: `${"A".repeat(86)}==` } }, { hostId: "h1" }],
  ],
  [
    "command",
    wire.commandSchema,
    protocol.commandSchema,
    [
      { id: "c1", action: "restart_service", target: "web", expiresAt: later },
      { id: "", action: "x", expiresAt: later },
      { id: "c1", action: "x", expiresAt: later, params: { n: 1, ok: true, s: "v" } },
    ],
  ],
  [
    "reportResponse",
    wire.reportResponseSchema,
    protocol.reportResponseSchema,
    [
      {
        commands: [],
        serverTime: ts,
        settings: {
          enabled: true,
          intervalSeconds: 10,
          thresholds: {
            cpu_warning: 80,
            cpu_critical: 95,
            memory_warning: 80,
            memory_critical: 95,
            disk_warning: 80,
            disk_critical: 95,
          },
        },
      },
      { commands: [], serverTime: ts, settings: {} },
    ],
  ],
  ["line", wire.line(8), text.line(8), ["ok", "a\u0007\u202eb\tc", "123456789"]],
  ["multiline", wire.multiline(8), text.multiline(8), ["a\nb\tc\u0000", "123456789"]],
  ["entityName", wire.entityName, protocol.entityName, ["web-1", "", "-x", "a b"]],
];

/** What a parse gives: the value, or the issues (paths, codes and messages). */
function outcome(schema: { safeParse(v: unknown): unknown }, input: unknown) {
  const r = schema.safeParse(input) as { success: boolean; data?: unknown; error?: { issues: unknown[] } };
  return r.success ? { data: r.data } : { issues: r.error?.issues };
}

describe("the agent protocol's schemas in the Worker", () => {
  it.each(pairs)(
    "%s accepts, refuses and rewrites exactly as the protocol's schema does",
    (_, classic, mini, inputs) => {
      for (const input of inputs) expect(outcome(classic, input)).toEqual(outcome(mini, input));
    },
  );

  it.each(pairs)("%s documents the protocol's JSON Schema", (_, classic, mini) => {
    const json = (s: unknown) => z.toJSONSchema(s as z.ZodType, { io: "input", unrepresentable: "any" });
    expect(json(classic)).toEqual(json(mini));
  });

  it("gives the Worker classic schemas it can refine further", () => {
    expect(wire.line(100).trim().min(1).safeParse("   ").success).toBe(false);
    expect(wire.alertThresholdsSchema.partial().parse({ cpu_warning: 70 })).toEqual({ cpu_warning: 70 });
    expect(wire.entityName.optional().openapi({ description: "a name" }).parse(undefined)).toBeUndefined();
  });

  it("refuses to rebuild a schema it has no classic kind for", () => {
    const unknownKind = Object.create(protocol.entityName, {
      constructor: { value: { name: "ZodMiniNothing" } },
    });
    expect(() => wire.toClassic(unknownKind)).toThrow(/no classic zod schema for ZodMiniNothing/);
  });
});
