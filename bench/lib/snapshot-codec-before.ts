// The anomaly snapshot codec as it was before: decoders with an `indexOf` per character, encoders
// growing a string a few characters at a time; kept only so bench:engine can time both side by
// side on the same snapshot.

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function fromBase64Before(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0;
  let nbits = 0;
  let j = 0;
  for (const ch of clean) {
    const v = BASE64.indexOf(ch);
    if (v < 0) throw new Error(`invalid base64 character '${ch}'`);
    acc = ((acc << 6) | v) & 0xffffff;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out[j++] = (acc >> nbits) & 255;
    }
  }
  return out;
}

const LEVELS = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))
  .filter((c) => c !== '"' && c !== "\\")
  .join("");

export function decodeCategoriesBefore(text: string, width: number): number[][] {
  const size = 2 * width;
  const boxes: number[][] = [];
  for (let i = 0; i + size <= text.length; i += size)
    boxes.push(Array.from(text.slice(i, i + size), (c) => LEVELS.indexOf(c)));
  return boxes;
}

// The encoders as they were before they wrote character codes into one buffer.

export function toBase64Before(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? BASE64[n & 63] : "=";
  }
  return out;
}

export const encodeCategoriesBefore = (boxes: number[][]) =>
  boxes.map((b) => b.map((v) => LEVELS[v]).join("")).join("");
