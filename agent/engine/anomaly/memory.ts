/**
 * A fixed-size Bloom filter of contexts seen so far: O(probes) per look-up, never grows, and
 * serialises to base64 so the whole detector fits a small JSON document.
 */

/** 32-bit avalanche mix (murmur3 finaliser). */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Extends a context hash with one more symbol. */
export function extend(h: number, symbol: number, position: number): number {
  return mix(h ^ Math.imul(symbol + 1000, 0x27d4eb2d) ^ position);
}

/** True when `key` was (probably) added before; adds it either way. */
export function seenOrAdd(bits: Uint8Array, log2Bits: number, probes: number, key: number): boolean {
  const mask = (1 << log2Bits) - 1;
  let seen = true;
  let h = key;
  for (let i = 1; i <= probes; i++) {
    h = mix(h + Math.imul(0x9e3779b9, i));
    const b = h & mask;
    const bit = 1 << (b & 7);
    if ((bits[b >> 3] & bit) === 0) {
      seen = false;
      bits[b >> 3] |= bit;
    }
  }
  return seen;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** ALPHABET's character codes, then "=" (64) for padding. */
const ENCODE = Uint8Array.from(`${ALPHABET}=`, (c) => c.charCodeAt(0));

// Character codes into one buffer, made a string at the end: every report saves its detectors,
// and a string grown four characters at a time cost more than the filter's hashing.
export function toBase64(bytes: Uint8Array): string {
  const codes = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let j = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    codes[j++] = ENCODE[(n >> 18) & 63];
    codes[j++] = ENCODE[(n >> 12) & 63];
    codes[j++] = ENCODE[i + 1 < bytes.length ? (n >> 6) & 63 : 64];
    codes[j++] = ENCODE[i + 2 < bytes.length ? n & 63 : 64];
  }
  return asciiString(codes);
}

/** Whether two byte arrays hold the same bytes: four at a time when both allow it. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length % 4 === 0 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const x = new Int32Array(a.buffer, a.byteOffset, a.length / 4);
    const y = new Int32Array(b.buffer, b.byteOffset, b.length / 4);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The text of some bytes, kept with a copy of them and made again only when they change: every
 * report saves its detectors, and their filter changes on a handful of steps in thousands, their
 * categories on few more, while encoding them was most of a save.
 */
export class KeptText {
  private bytes: Uint8Array | undefined;
  private text = "";

  constructor(private readonly encode: (bytes: Uint8Array) => string) {}

  /** The text of `bytes`: the kept one when they are the bytes it was made of. */
  of(bytes: Uint8Array): string {
    if (this.bytes && sameBytes(bytes, this.bytes)) return this.text;
    this.text = this.encode(bytes);
    this.bytes = bytes.slice();
    return this.text;
  }
}

/** ASCII codes as a string, in chunks that stay well under any engine's argument limit. */
export function asciiString(codes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < codes.length; i += 8192)
    out += String.fromCharCode.apply(null, codes.subarray(i, i + 8192) as unknown as number[]);
  return out;
}

/** ALPHABET's index of each character code below 128; 255 for a character not in it. */
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

// A table look-up per character, not `indexOf`: a cold host object restores two detectors per
// report, and the filter's ~3 KB of base64 was most of a restore.
export function fromBase64(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--; // trailing "="
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let nbits = 0;
  let j = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c] : 255;
    if (v === 255)
      throw new Error(`invalid base64 character '${String.fromCodePoint(text.codePointAt(i) ?? c)}'`);
    acc = ((acc << 6) | v) & 0xffffff;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out[j++] = (acc >> nbits) & 255;
    }
  }
  return out;
}
