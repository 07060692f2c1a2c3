import type { Metrics } from "../../engine";

/** One source of metrics. `everyMs` makes an expensive one run less often than the report interval. */
export interface Collector {
  name: string;
  everyMs?: number;
  /** Takes a first reading so that the first collect() can report a rate. */
  prime?(): void | Promise<void>;
  collect(): Metrics | Promise<Metrics>;
}

export type { Metrics };
