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

/**
 * Bounds of objects found as they were made (rememberBound), taken instead of walking them. Only
 * objects the engine makes and never changes after (copy on write) are remembered: a baseline's
 * bins, rebuilt on every sample, whose numeric keys were the slowest part of the walk.
 */
const remembered = new WeakMap<object, number>();

/** Remembers `bytes` as the bound of `value`, which must not change after. */
export function rememberBound(value: object, bytes: number): void {
  remembered.set(value, bytes);
}

/** The most a key with a number value adds to an object's bound (its quotes, colon and comma). */
export const numberEntryBound = (key: string) => keyBound(key) + NUMBER_MAX;

export function jsonBytesAtMost(value: unknown, limit: number): number {
  return bound(value, limit, 0);
}

/**
 * The bound of an object's JSON without the key `skip` (which the caller bounds itself), found
 * without copying the object to leave the key out.
 */
export function jsonBytesAtMostWithout(value: object, skip: string, limit: number): number {
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return Number.POSITIVE_INFINITY;
  let total = 2;
  for (const key in value) {
    if (key === skip || !Object.hasOwn(value, key)) continue;
    total = bound((value as Record<string, unknown>)[key], limit, total + 2 + stringBound(key));
    if (total > limit) return total;
  }
  return total;
}

/** What a key adds to its object's bound besides its value: its quotes, colon and comma. */
export const keyBound = (key: string) => 2 + stringBound(key);

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
      const known = remembered.get(value);
      if (known !== undefined) return used + known;
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return Number.POSITIVE_INFINITY;
      let total = used + 2;
      if (Array.isArray(value)) {
        for (const item of value) {
          // numbers inline: trend points and histograms are most of a state's items
          if (typeof item === "number") total += 1 + (Number.isSafeInteger(item) ? INTEGER_MAX : NUMBER_MAX);
          else {
            const pair = pairBound(item);
            total = pair > 0 ? total + pair : bound(item, limit, total + 1);
          }
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

/**
 * A [number, number] pair (a trend point, a sample of an evidence window: most of a state's
 * items) is bounded in place, not walked by a call per pair: its brackets and comma, its time (a
 * safe integer) and its value, plus the comma before it; anything else is walked.
 */
function pairBound(item: unknown): number {
  if (!Array.isArray(item) || item.length !== 2) return 0;
  const a = item[0];
  const b = item[1];
  if (typeof a !== "number" || typeof b !== "number" || (item as { toJSON?: unknown }).toJSON !== undefined)
    return 0;
  return (
    4 +
    (Number.isSafeInteger(a) ? INTEGER_MAX : NUMBER_MAX) +
    (Number.isSafeInteger(b) ? INTEGER_MAX : NUMBER_MAX)
  );
}

/** A short string (an object's key: a metric name, a histogram's bin) is checked by its codes, faster than the pattern. */
function escapes(s: string): boolean {
  if (s.length > 16) return ESCAPED.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

const stringBound = (s: string) => 2 + (escapes(s) ? CHAR_MAX : 1) * s.length;
