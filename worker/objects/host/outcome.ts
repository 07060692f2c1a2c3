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

/**
 * A report's answer as it crosses the RPC: the response as JSON text (one string, not its every
 * value) but for its commands, which the Worker signs. `cold`: the object was started (rebuilt from
 * its storage) for this report (Server-Timing, bench:ingest).
 */
export type ReportAnswer = {
  commands: ReportHandled["response"]["commands"];
  /** The rest of the response (settings, server time...): a JSON object's text. */
  responseJson: string;
  followUps: ReportHandled["followUps"];
  cold: boolean;
};
export type ReportOutcome = Outcome<ReportAnswer>;

export function reportAnswer(
  { response: { commands, ...rest }, followUps }: Pick<ReportHandled, "response" | "followUps">,
  cold: boolean,
): ReportAnswer {
  return { commands, responseJson: JSON.stringify(rest), followUps, cold };
}
