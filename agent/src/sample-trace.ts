/**
 * Opt-in record of every sample the agent produces: with SELFHEAL_SAMPLE_TRACE=<file>, one line
 * (the sample's ts) is appended before the sample is queued. The soak bench (bench/soak.ts)
 * compares it with what the edge stored, so a sample lost anywhere after collection shows up.
 * Off (one env lookup at start) otherwise.
 */
import { appendFileSync } from "node:fs";

const file = process.env.SELFHEAL_SAMPLE_TRACE;

export function traced<T extends { ts: string }>(sample: T): T {
  // A plain append: it survives a SIGKILL (the page cache is the kernel's), which is what the soak does.
  if (file) appendFileSync(file, `${sample.ts}\n`);
  return sample;
}
