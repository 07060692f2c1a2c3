/**
 * What each channel kind keeps where: which request field is its secret (stored, only shown
 * masked), which settings it has beyond url and secret, and which fields a change may carry.
 */
import type { z } from "zod";
import type { ChannelKind, ChannelSettings } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import type { ChannelPatchSchema, NewChannelSchema } from "../../schemas/channels";

type NewChannel = z.infer<typeof NewChannelSchema>;
type ChannelPatch = z.infer<typeof ChannelPatchSchema>;

/** The request field holding each kind's secret. */
export const SECRET_FIELD = {
  slack: null,
  pagerduty: "routingKey",
  webhook: "secret",
  email: "apiKey",
  teams: null,
  discord: null,
  telegram: "botToken",
  opsgenie: "apiKey",
} as const satisfies Record<ChannelKind, keyof ChannelPatch | null>;

/** Kinds whose URL is itself the credential (so it is shown masked). */
export const URL_IS_SECRET: ReadonlySet<ChannelKind> = new Set(["slack", "teams", "discord"]);

/** Pagers keep their own re-notification policies; the rest may remind. */
export const REMINDS: ReadonlySet<ChannelKind> = new Set([
  "slack",
  "webhook",
  "email",
  "teams",
  "discord",
  "telegram",
]);

const SETTINGS: Record<ChannelKind, (keyof ChannelSettings)[]> = {
  slack: [],
  pagerduty: [],
  webhook: [],
  email: ["from", "to"],
  teams: [],
  discord: [],
  telegram: ["chatId"],
  opsgenie: [],
};

const COMMON = new Set([
  "name",
  "url",
  "minSeverity",
  "hosts",
  "groups",
  "rules",
  "groupBy",
  "groupWaitSeconds",
  "enabled",
]);

export function secretOf(input: NewChannel): string | null {
  const field = SECRET_FIELD[input.kind];
  return field ? ((input as Record<string, unknown>)[field] as string) : null;
}

export function settingsOf(kind: ChannelKind, input: object) {
  const given = input as Partial<Record<keyof ChannelSettings, unknown>>;
  const out: ChannelSettings = {};
  for (const k of SETTINGS[kind]) if (given[k] !== undefined) Object.assign(out, { [k]: given[k] });
  return Object.keys(out).length ? out : null;
}

/** A change may only carry what the channel's kind has: anything else is a 400 naming the field. */
export function checkPatchFits(kind: ChannelKind, patch: ChannelPatch) {
  const own = new Set<string>([...COMMON, ...SETTINGS[kind]]);
  const secret = SECRET_FIELD[kind];
  if (secret) own.add(secret);
  if (REMINDS.has(kind)) own.add("repeatMinutes");
  const stray = Object.keys(patch).filter((k) => !own.has(k));
  if (stray.length === 0) return;
  const issues = stray.map((path) => ({ path, message: `a ${kind} channel has no ${path}` }));
  throw new ApiError("BAD_REQUEST", `not a setting of a ${kind} channel: ${stray.join(", ")}`, issues);
}
