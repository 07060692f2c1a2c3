import { describe, expect, it } from "vitest";
import { jsonBytesAtMost } from "../../agent/engine/json-bound";

const worst: unknown[] = [
  -0.0000012345678901234567,
  -1.7976931348623157e308,
  -2.2250738585072014e-308,
  -123456789012345680000,
  -9007199254740991,
  "plain ascii, no escapes",
  "emoji 😀 and é",
  Number.NaN,
  Number.NEGATIVE_INFINITY,
  '\u0000\u001f"\\\ud800 é',
  "",
  true,
  false,
  null,
  [undefined, null, [], {}],
  { skipped: undefined, '\u0001key"': [1.5, -0.1] },
];

describe("the JSON size bound", () => {
  it("is never below the serialized length, worst-case numbers and escapes included", () => {
    for (const value of [...worst, worst, { nested: { all: worst } }]) {
      expect(jsonBytesAtMost(value, Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(
        JSON.stringify(value)?.length ?? 0,
      );
    }
  });

  it("stays within a small factor of the real size for numeric state", () => {
    const state = {
      series: { cpu: { pts: Array.from({ length: 60 }, (_, i) => [1.7e12 + i * 6e4, 33.3 + i]) } },
    };
    const real = JSON.stringify(state).length;
    const bound = jsonBytesAtMost(state, Number.POSITIVE_INFINITY);
    expect(bound).toBeGreaterThanOrEqual(real);
    expect(bound).toBeLessThan(3 * real);
  });

  it("gives up on values that are not plain data", () => {
    expect(jsonBytesAtMost({ at: new Date(0) }, 1e9)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonBytesAtMost({ n: 10n }, 1e9)).toBe(Number.POSITIVE_INFINITY);
  });

  it("stops walking once past the limit", () => {
    expect(
      jsonBytesAtMost(
        Array.from({ length: 1000 }, () => 1),
        100,
      ),
    ).toBeLessThan(200);
  });
});
