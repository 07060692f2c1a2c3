import { describe, expect, it } from "vitest";
import { Categories } from "../../agent/engine/anomaly/categories";
import { fromBase64, toBase64 } from "../../agent/engine/anomaly/memory";

// The snapshot's two encodings are stored in every host object's state: a decoder must read back
// exactly what any version of the encoder wrote.
describe("anomaly snapshot codec", () => {
  const bytes = (n: number, seed: number) =>
    Uint8Array.from({ length: n }, (_, i) => (i * 151 + seed * 29) & 255);

  it("reads standard padded base64 (as Node writes it) back to the same bytes, for every length and byte value", () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let n = 0; n <= 64; n++) {
      for (const b of [bytes(n, n), every.subarray(0, n), every.subarray(256 - n)]) {
        const text = Buffer.from(b).toString("base64");
        expect(toBase64(b)).toBe(text);
        expect(Array.from(fromBase64(text))).toEqual(Array.from(b));
      }
    }
    expect(Array.from(fromBase64(Buffer.from(every).toString("base64")))).toEqual(Array.from(every));
  });

  it("refuses a character outside the base64 alphabet and names it", () => {
    expect(() => fromBase64("AAAA-AAA")).toThrow("invalid base64 character '-'");
    expect(() => fromBase64("AAé=")).toThrow("invalid base64 character 'é'");
    expect(() => fromBase64("AA=A")).toThrow("invalid base64 character '='");
  });

  it("reads categories back to the same boxes, every level the encoder can write included", () => {
    const width = 8;
    const levels = 90;
    const cats = new Categories(width, levels, 64);
    cats.boxes = Array.from({ length: 12 }, (_, j) =>
      Array.from({ length: 2 * width }, (_, k) => (j * 2 * width + k) % (levels + 1)),
    );
    const text = cats.encode();
    // one printable character per bound, never a quote or a backslash (the snapshot is JSON)
    expect(text).toMatch(/^[!#-[\]-~]+$/);
    expect(text).toHaveLength(12 * 2 * width);
    const back = new Categories(width, levels, 64);
    back.decode(text);
    expect(back.boxes).toEqual(cats.boxes);
    expect(back.encode()).toBe(text);
  });

  it("reads categories stored by an earlier version, ignoring a trailing partial box", () => {
    const back = new Categories(2, 90, 64);
    back.decode("!#$%}|{z!");
    expect(back.boxes).toEqual([
      [0, 1, 2, 3],
      [90, 89, 88, 87],
    ]);
  });
});
