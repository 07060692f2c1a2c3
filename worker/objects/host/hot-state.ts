/**
 * What only the host object holds between reports, in its own storage (written before a report
 * is answered): the host's columns the engine moves on every report (engine state, metrics,
 * check outputs, last seen), the services as last reported, and when D1's host summary and
 * service rows were last written. D1 gets these at most once a minute (the summary) or when
 * they change (services), so a steady report leaves D1 alone: the object's alarm writes the
 * summary after the report has been answered.
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

export const readHot = (kv: KvReader) => kv.get<HotState>(KEY) ?? null;
export const writeHot = (storage: DurableObjectStorage, hot: HotState) => storage.kv.put(KEY, hot);

/** A comparable signature of a reported service list (what D1's service_states rows hold). */
export const servicesKey = (
  services: { name: string; kind: string; status: string; detail?: string; stopped?: boolean }[],
) => JSON.stringify(services.map((s) => [s.name, s.kind, s.status, s.detail ?? null, s.stopped ? 1 : 0]));
