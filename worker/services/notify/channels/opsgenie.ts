/**
 * Opsgenie Alert API v2: an alert per issue under `alias` = the issue id (Opsgenie's own
 * de-duplication), acknowledged and closed by that alias. Auth: `Authorization: GenieKey <key>`.
 */
import { clip, evidenceText, type OutgoingEvent } from "../format";
import { factsOf } from "./text";

export const OPSGENIE_URL = "https://api.opsgenie.com";
const PRIORITY = { critical: "P1", high: "P2", medium: "P3", low: "P4" } as const;

export type OpsgenieCall = { path: string; body: Record<string, unknown> };

const alertPath = (alias: string, verb: string) =>
  `/v2/alerts/${encodeURIComponent(alias)}/${verb}?identifierType=alias`;

/** The request for one event, or null when Opsgenie has nothing to say for it. */
export function opsgenieCall(e: OutgoingEvent): OpsgenieCall | null {
  const alias = clip(e.issue.id, 512);
  if (e.event === "resolved")
    return { path: alertPath(alias, "close"), body: { source: "selfheal", note: "Resolved in selfheal" } };
  if (e.event === "acknowledged")
    return {
      path: alertPath(alias, "acknowledge"),
      body: { source: "selfheal", note: "Acknowledged in selfheal" },
    };
  if (e.event !== "opened" && e.event !== "test") return null;
  const { issue } = e;
  const details: Record<string, string> = { issue_id: issue.id, rule_id: issue.rule };
  for (const [k, v] of factsOf(e, 500)) details[k.toLowerCase()] = v;
  if (issue.target) details.target = clip(issue.target, 500);
  if (e.link) details.link = e.link;
  const evidence = evidenceText(issue.evidence);
  return {
    path: "/v2/alerts",
    body: {
      message: clip(`${issue.host}: ${issue.summary}`, 130),
      alias,
      description: clip([issue.summary, evidence, e.link ?? ""].filter(Boolean).join("\n\n"), 15000),
      tags: ["selfheal", clip(issue.rule, 50), issue.severity],
      details,
      entity: clip(issue.host, 512),
      source: "selfheal",
      priority: PRIORITY[issue.severity],
    },
  };
}
