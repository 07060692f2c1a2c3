/**
 * Charts read the resolution that fits the range. Short ranges read raw samples, mid
 * ranges 1-minute buckets, long ones 1-hour buckets; a range reaching back past what a resolution
 * keeps goes one coarser, so the answer is never cut off by retention.
 */
import { MINUTE } from "../../lib/time";
import type { Retention } from "./run";

export const resolutions = ["raw", "minute", "hour"] as const;
export type Resolution = (typeof resolutions)[number];

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The longest ranges served raw and by the minute. */
export const RAW_SPAN = 6 * HOUR;
export const MINUTE_SPAN = 7 * DAY;

export interface SeriesQuery {
  from?: string;
  to?: string;
  limit: number;
  resolution?: Resolution | "auto";
}

/** Without `from` (the latest samples) always raw; an explicit resolution is taken as asked. */
export function chooseResolution(query: SeriesQuery, retention: Retention, now: number): Resolution {
  if (query.resolution && query.resolution !== "auto") return query.resolution;
  if (!query.from) return "raw";
  const from = Date.parse(query.from);
  const span = (query.to ? Date.parse(query.to) : now) - from;
  const age = now - from;
  if (span <= RAW_SPAN && age <= retention.raw_days * DAY) return "raw";
  if (span <= MINUTE_SPAN && age <= retention.minute_days * DAY) return "minute";
  return "hour";
}
