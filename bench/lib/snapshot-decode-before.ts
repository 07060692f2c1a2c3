// The anomaly snapshot decoders as they were before the table-driven decode (an `indexOf` per
// character), kept only so bench:engine can time both side by side on the same snapshot.

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
