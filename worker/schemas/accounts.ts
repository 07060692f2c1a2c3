/** People, sessions and invitations as the API answers them (the dashboard infers its types here). */
import { z } from "@hono/zod-openapi";
import { roles } from "../db/schema/accounts";
import { tokenScopes } from "../db/schema/tenancy";

const isoTime = z.string().openapi({ format: "date-time" });

export const SessionSchema = z
  .object({
    signedIn: z.literal(true),
    scope: z.enum(tokenScopes),
    orgId: z.string(),
    name: z.string(),
    userId: z.string().nullable().openapi({ description: "the person signed in (null: a token's session)" }),
    sessionId: z.string().nullable().openapi({ description: "null when called with a bearer token" }),
  })
  .openapi("Session");
export type Session = z.infer<typeof SessionSchema>;

/** A sign-in's answer: the session, and when it ends at the latest. */
export const StartedSessionSchema = SessionSchema.extend({ expiresAt: isoTime }).openapi("StartedSession");

export const SessionStateSchema = z
  .union([
    SessionSchema,
    z.object({
      signedIn: z.literal(false),
      methods: z
        .array(z.enum(["token", "access", "oidc", "passkey"]))
        .openapi({ description: "the sign-in methods this deployment offers" }),
      oidcName: z
        .string()
        .optional()
        .openapi({ description: "with oidc: the identity provider's name for the sign-in button" }),
    }),
  ])
  .openapi("SessionState");
export type SessionState = z.infer<typeof SessionStateSchema>;

export const MySessionSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    userAgent: z.string().nullable(),
    createdAt: isoTime,
    lastSeenAt: isoTime,
    expiresAt: isoTime.openapi({ description: "the sooner of the idle and the absolute end" }),
    current: z.boolean().openapi({ description: "the session making this request" }),
  })
  .openapi("MySession");
export type MySession = z.infer<typeof MySessionSchema>;

export const MemberSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(roles),
    joinedAt: isoTime,
  })
  .openapi("Member");
export type Member = z.infer<typeof MemberSchema>;

export const InvitationSchema = z
  .object({
    id: z.string(),
    role: z.enum(roles),
    note: z.string(),
    createdBy: z.string(),
    createdAt: isoTime,
    expiresAt: isoTime,
    status: z.enum(["pending", "accepted", "revoked", "expired"]),
    acceptedBy: z.string().nullable().openapi({ description: "the user who accepted it" }),
  })
  .openapi("Invitation");
export type Invitation = z.infer<typeof InvitationSchema>;

export const NewInvitationSchema = z
  .object({
    id: z.string(),
    token: z.string().openapi({ description: "the link's secret, shown once" }),
    url: z.string().openapi({ description: "the link to send: opens the dashboard's acceptance page" }),
    role: z.enum(roles),
    note: z.string(),
    expiresAt: isoTime,
  })
  .openapi("NewInvitation");
export type NewInvitation = z.infer<typeof NewInvitationSchema>;

/**
 * The dashboard's query parameter that carries why the OpenID Connect callback refused a browser's
 * sign-in (the callback sends the browser back to `/?sign_in_failed=<reason>`).
 */
export type SignInFailedParam = "sign_in_failed";
/**
 * The reasons that parameter carries: fixed codes the dashboard words itself, never an error's
 * text, so a crafted link cannot make the sign-in page say what its author wants.
 */
export const signInFailures = ["refused", "no_account", "incomplete", "not_configured"] as const;
export type SignInFailure = (typeof signInFailures)[number];
