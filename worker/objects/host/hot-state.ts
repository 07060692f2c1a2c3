/**
 * What only the host object holds between reports, in its own storage (written before a report
 * is answered): the host's columns the engine moves on every report (engine state, metrics,
 * check outputs, last seen), the services as last reported, and when D1's host summary and
 * service rows were last written. D1 gets these at most once a minute (the summary) or when
 * they change (services), so a steady report leaves D1 alone: the report that finds the summary
 * due writes it after its answer, the object's alarm only when that failed or the host stopped.
 *
 * Two keys: the hot state (~12 KB, mostly the engine state, rewritten by every report) and its
 * marks (when D1 last got the summary and the uptime totals, when retention last ran: tens of
 * bytes), so moving a mark once a minute does not rewrite the engine state. An object stored
 * before the marks had a key of their own holds them in its hot state; it still loads.
 */
import type { HostColumns } from "../../services/ingest/report/host-row";
import type { ServiceRow } from "../../services/ingest/report/load";
import type { KvReader } from "./start-read";
import type { UptimeDays } from "./uptime";

export interface HotState {
  orgId: string;
  hostId: string;
  host: HostColumns & { lastSeenAt: number };
  services: ServiceRow[] | null;
  /** The reported service list as D1 last received it (store.ts upsertServices). */
  servicesKey: string | null;
  /** When the host summary was last written to D1 (by a report's batch or the alarm). */
  summaryAt: number;
  /** When the alarm last ran retention over the history. */
  retainedAt?: number;
  /** Availability day totals (uptime.ts), and when the alarm last wrote them to D1. */
  uptime?: UptimeDays;
  uptimeFlushedAt?: number;
}

const KEY = "hot";
const MARKS_KEY = "hot-marks";

type Marks = Pick<HotState, "summaryAt" | "retainedAt" | "uptimeFlushedAt">;

const marksOf = ({ summaryAt, retainedAt, uptimeFlushedAt }: HotState): Marks => ({
  summaryAt,
  retainedAt,
  uptimeFlushedAt,
});

const sameMarks = (a: Marks, b: Marks) =>
  a.summaryAt === b.summaryAt && a.retainedAt === b.retainedAt && a.uptimeFlushedAt === b.uptimeFlushedAt;

/** The hot state as stored, marks included (either layout), and whether the marks had their own key. */
function readStored(kv: KvReader): { hot: HotState | null; marksKept: boolean } {
  const hot = kv.get<HotState>(KEY);
  if (!hot) return { hot: null, marksKept: false };
  const marks = kv.get<Marks>(MARKS_KEY);
  // the previous layout kept the marks inside the hot state
  const merged = marks ? { ...hot, ...marks } : hot;
  return { hot: { ...merged, summaryAt: merged.summaryAt ?? 0 }, marksKept: marks !== undefined };
}

export const readHot = (kv: KvReader) => readStored(kv).hot;

/** Writes the hot state and its marks under their two keys, each only as often as it moves. */
export class HotStore {
  /** The marks as stored; null until written under their own key (a new object, or the previous layout). */
  private stored: Marks | null = null;

  constructor(private readonly storage: DurableObjectStorage) {}

  read(kv: KvReader): HotState | null {
    const { hot, marksKept } = readStored(kv);
    // an object of the previous layout writes the marks' key with its next write
    if (hot && marksKept) this.stored = marksOf(hot);
    return hot;
  }

  /** Every report: the hot state, and the marks if the report moved them. */
  write(hot: HotState): void {
    const { summaryAt: _s, retainedAt: _r, uptimeFlushedAt: _u, ...moving } = hot;
    this.storage.kv.put(KEY, moving);
    this.writeMarks(hot);
  }

  /** The marks alone (the summary written, retention run): the hot state stays as stored. */
  writeMarks(hot: HotState): void {
    const marks = marksOf(hot);
    if (this.stored && sameMarks(this.stored, marks)) return;
    this.storage.kv.put(MARKS_KEY, marks);
    this.stored = marks;
  }
}

/** A comparable signature of a reported service list (what D1's service_states rows hold). */
export const servicesKey = (
  services: { name: string; kind: string; status: string; detail?: string; stopped?: boolean }[],
) => JSON.stringify(services.map((s) => [s.name, s.kind, s.status, s.detail ?? null, s.stopped ? 1 : 0]));
