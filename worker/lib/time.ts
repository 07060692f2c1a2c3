export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : iso(ms));

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
