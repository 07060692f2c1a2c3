export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : iso(ms));

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** A time for people to read in a message: "2026-12-06 22:41 UTC" (never epoch ms). */
export const humanTime = (ms: number) => `${iso(ms).slice(0, 16).replace("T", " ")} UTC`;
