// The JSON size bound as it was before: a call per [time, value] pair and a pattern test per key;
// kept only so bench:engine can time both side by side on the same state.
/**
 * An upper bound of `JSON.stringify(value).length`, found by walking the value without formatting
 * numbers or escaping strings: a number prints in at most 25 characters ("-0.0000012345678901234567"),
 * a string's character in at most 6 ("\u001f"), and a string that needs no escape as itself. The
 * walk stops once the bound passes `limit`; anything but plain data (a toJSON method, a function,
 * a bigint) is bounded by Infinity, so the caller falls back to serializing.
 */
const NUMBER_MAX = 25;
/** A safe integer prints in at most 17 ("-9007199254740991"). */
const INTEGER_MAX = 17;
const CHAR_MAX = 6;
/** What JSON escapes: a string without these prints as itself between quotes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

export function jsonBytesAtMostBefore(value: unknown, limit: number): number {
  return bound(value, limit, 0);
}

/** `used` is the bound so far; returns it plus this value's. */
function bound(value: unknown, limit: number, used: number): number {
  switch (typeof value) {
    case "number":
      return used + (Number.isSafeInteger(value) ? INTEGER_MAX : NUMBER_MAX);
    case "string":
      return used + stringBound(value);
    case "boolean":
      return used + 5;
    case "undefined":
      // "null" in an array, nothing in an object: 4 bounds both.
      return used + 4;
    case "object": {
      if (value === null) return used + 4;
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return Number.POSITIVE_INFINITY;
      let total = used + 2;
      if (Array.isArray(value)) {
        for (const item of value) {
          // numbers inline: trend points and histograms are most of a state's items
          if (typeof item === "number") total += 1 + (Number.isSafeInteger(item) ? INTEGER_MAX : NUMBER_MAX);
          else total = bound(item, limit, total + 1);
          if (total > limit) return total;
        }
        return total;
      }
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        total = bound((value as Record<string, unknown>)[key], limit, total + 2 + stringBound(key));
        if (total > limit) return total;
      }
      return total;
    }
    default:
      return Number.POSITIVE_INFINITY;
  }
}

const stringBound = (s: string) => 2 + (ESCAPED.test(s) ? CHAR_MAX : 1) * s.length;
