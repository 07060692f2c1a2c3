/** A notification event as the outbox hands it to a channel: one critical disk issue, overridable. */
import type { OutgoingEvent } from "../../../worker/services/notify/format";

/** The dashboard link the event carries. */
export const EVENT_LINK = "https://selfheal.example/issues/iss_1";

export function event(
  overrides: Partial<OutgoingEvent> = {},
  issue: Partial<OutgoingEvent["issue"]> = {},
): OutgoingEvent {
  return {
    deliveryId: "dlv_1",
    event: "opened",
    at: Date.UTC(2026, 0, 1),
    detail: null,
    link: EVENT_LINK,
    ...overrides,
    issue: {
      id: "iss_1",
      hostId: "hst_1",
      host: "web-1",
      hostGroup: "prod",
      rule: "disk_full",
      ruleName: "Disk almost full",
      target: "/",
      severity: "critical",
      status: "open",
      summary: "disk / at 97%",
      evidence: { value: 97, threshold: 95 },
      actions: ["clean_disk"],
      detectedAt: Date.UTC(2026, 0, 1),
      ...issue,
    },
  };
}
