import { describe, expect, it } from "vitest";
import { createDetector, restoreDetector } from "../../agent/engine/anomaly";
import { Categories } from "../../agent/engine/anomaly/categories";
import { fromBase64, KeptText, toBase64 } from "../../agent/engine/anomaly/memory";

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
  it("encodes bytes changed in place since their last text again, and bytes of another length", () => {
    const kept = new KeptText(toBase64);
    const b = bytes(64, 3);
    expect(kept.of(b)).toBe(toBase64(b));
    b[17] ^= 1;
    expect(kept.of(b)).toBe(toBase64(b));
    expect(kept.of(b.subarray(1))).toBe(toBase64(b.subarray(1)));
    expect(kept.of(b.slice())).toBe(toBase64(b));
  });

  it("saves at every step the snapshot a detector restored from it writes afresh, through shifts that re-learn its grid and re-range it", () => {
    const d = createDetector();
    let encoded = 0;
    let last = "";
    for (let i = 0; i < 3000; i++) {
      const shift = i < 1200 ? 0 : i < 2200 ? 40 : -25;
      d.step(i * 60_000, 50 + shift + 10 * Math.sin(i / 30) + ((i * 7919) % 13));
      const saved = JSON.stringify(d.toJSON());
      const afresh = JSON.stringify(restoreDetector(JSON.parse(saved)).toJSON());
      expect(saved).toBe(afresh);
      const { memory, res } = JSON.parse(saved);
      if (`${memory}${res.cats}` !== last) encoded++;
      last = `${memory}${res.cats}`;
    }
    // the filter and categories changed now and then, not on every step
    expect(encoded).toBeGreaterThan(20);
    expect(encoded).toBeLessThan(2900);
  });
});
