/** What the host object's RPCs answer, and the services fingerprint its change events compare. */
import type { D1Meter } from "../../db/client";
import type { ApiError, FieldIssue } from "../../lib/errors";
import type { ReportHandled } from "../../services/ingest/report";

/** What an RPC answers: a value, or an API error the Worker raises again (classes do not cross RPC). */
export type Outcome<T> =
  | { ok: true; value: T; meter: D1Meter }
  | { ok: false; code: ApiError["code"]; message: string; issues?: FieldIssue[]; meter: D1Meter };

/** What a dashboard shows of a host's services: which are up, down or stopped on purpose. */
export const upDown = (services: { name: string; status: string; stopped?: boolean | null }[]) =>
  services.map((s) => `${s.name}:${s.status}:${s.stopped ? 1 : 0}`).join(",");

/** `cold`: the object was started (rebuilt from its storage) for this report (Server-Timing, bench:ingest). */
export type ReportOutcome = Outcome<Pick<ReportHandled, "response" | "followUps"> & { cold: boolean }>;
