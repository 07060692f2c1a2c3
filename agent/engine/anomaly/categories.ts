/**
 * Fuzzy-ART categories over windows of quantised levels, in the spirit of ARTime (NAB): each
 * category is a hyperbox [lo, hi] per window slot, stored as one character per bound so a few
 * dozen fit in a small JSON document. Kept in most-recently-used order; the least recently used
 * category is forgotten when the memory is full, so a months-long series keeps learning.
 */

import { asciiString, KeptText } from "./memory";

/** 81+ JSON-safe characters (no quote, no backslash): one per level 0..levels. */
const ALPHABET = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))
  .filter((c) => c !== '"' && c !== "\\")
  .join("");
/** ALPHABET's index of each character code below 128; -1 (as `indexOf` gave) for one not in it. */
const LEVEL = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LEVEL[ALPHABET.charCodeAt(i)] = i;
/** ALPHABET's character codes, by level. */
const CODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

export interface Match {
  /** best match (fuzzy similarity cubed x newest-slot similarity squared) */
  a: number;
  /** newest-slot ("energy") similarity of the best match */
  ae: number;
  /** false when no category was within the lower vigilance: a new cluster was made */
  known: boolean;
}

/** Window of levels in 0..levels, oldest first. */
export type Levels = ArrayLike<number>;

export class Categories {
  /** per category: lo[0..w), then hi[0..w), as levels */
  boxes: number[][] = [];
  /** scratch: which boxes resonated in the last match */
  private hit: boolean[] = [];

  constructor(
    readonly width: number,
    readonly levels: number,
    readonly capacity: number,
  ) {}

  /** scratch: newest-slot similarity of the last `score` */
  private e = 0;

  /** The match of `x` against one box, as ARTime's DVFA scores it (complement coding). */
  private score(box: number[], x: Levels): number {
    const w = this.width;
    const L = this.levels;
    let num = 0;
    let den = 0;
    for (let k = 0; k < w; k++) {
      num += Math.min(x[k], box[k]) + L - Math.max(x[k], box[w + k]);
      den += box[k] + L - box[w + k];
    }
    const n = w - 1;
    const eNum = Math.min(x[n], box[n]) + L - Math.max(x[n], box[w + n]);
    const eDen = box[n] + L - box[w + n];
    const f = num / (den || 0.001 * L);
    const e = eDen ? eNum / eDen : 1;
    this.e = e;
    return f * f * f * e * e;
  }

  /**
   * Matches `x` and learns it: every box at or above `ub` grows to include it; otherwise a new box
   * is made (`known` when the best was at least `lb`). `learn = false` only measures.
   */
  train(x: Levels, lb: number, ub: number, learn = true): Match {
    // a constant floor: ARTime's all-ones seed category matches anything at 1/32
    let a = 1 / 32;
    let ae = 0.5;
    let hits = 0;
    const hit = this.hit;
    for (let j = 0; j < this.boxes.length; j++) {
      const m = this.score(this.boxes[j], x);
      if (m > a) {
        a = m;
        ae = this.e;
      }
      hit[j] = m >= ub;
      if (hit[j]) hits++;
    }
    if (!learn) return { a, ae, known: false };
    if (hits) {
      // grow every resonating box and move them to the front, keeping the others' order
      const w = this.width;
      const front: number[][] = [];
      const rest: number[][] = [];
      for (let j = 0; j < this.boxes.length; j++) {
        const box = this.boxes[j];
        if (!hit[j]) {
          rest.push(box);
          continue;
        }
        for (let k = 0; k < w; k++) {
          box[k] = Math.min(box[k], x[k]);
          box[w + k] = Math.max(box[w + k], x[k]);
        }
        front.push(box);
      }
      this.boxes = front.concat(rest);
      return { a, ae, known: true };
    }
    this.boxes.unshift([...Array.from(x), ...Array.from(x)]);
    if (this.boxes.length > this.capacity) this.boxes.pop();
    return { a, ae, known: a >= lb };
  }

  /** The last encoding, made again only when the boxes changed. */
  private readonly text = new KeptText(asciiString);

  // character codes into one buffer, one string at the end (every report saves its detectors)
  encode(): string {
    const size = 2 * this.width;
    const codes = new Uint8Array(this.boxes.length * size);
    let j = 0;
    for (const box of this.boxes) for (let k = 0; k < size; k++) codes[j++] = CODE[box[k]];
    return this.text.of(codes);
  }

  // A table look-up per character, not `indexOf`: a cold host object restores its detectors'
  // categories on every report.
  decode(text: string): void {
    const size = 2 * this.width;
    this.boxes = [];
    for (let i = 0; i + size <= text.length; i += size) {
      const box: number[] = [];
      for (let k = 0; k < size; k++) {
        const c = text.charCodeAt(i + k);
        box.push(c < 128 ? LEVEL[c] : -1);
      }
      this.boxes.push(box);
    }
  }
}
