/**
 * What the org's events channel (GET /api/v1/events, a WebSocket) sends a dashboard: a small
 * "something changed" note, never the data itself, so a message carries nothing a reader could
 * not fetch and the dashboard reloads what it shows through the scoped REST routes.
 */
import { z } from "zod";

export const eventTopics = ["issues", "commands", "services", "hosts", "config"] as const;

export const orgEventSchema = z.object({
  type: z.literal("changed"),
  /** What moved; a dashboard may reload only the views that show it. */
  topics: z.array(z.enum(eventTopics)),
  /** The host it concerns, or null for an org-wide change (config, rules, tokens). */
  hostId: z.string().nullable(),
  /** When the edge made the change (ms since epoch). */
  at: z.number().int(),
});

export type OrgEvent = z.infer<typeof orgEventSchema>;
export type EventTopic = (typeof eventTopics)[number];
