/** Invitation links (admin makes, lists and revokes them; anyone holding one may accept it). */
import { createRoute, z } from "@hono/zod-openapi";
import { roles } from "../db/schema";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { admins } from "../middleware/auth";
import { sessionSecret, setSessionCookie } from "../middleware/session-cookie";
import { InvitationSchema, NewInvitationSchema, StartedSessionSchema } from "../schemas/accounts";
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  revokeInvitation,
} from "../services/tenancy/invitations";
import { resolveSession } from "../services/tenancy/sessions";
import { sessionView } from "./session";

const isoTime = z.string().openapi({ format: "date-time" });
const HOUR_MS = 3_600_000;

const create = createRoute({
  method: "post",
  path: "/",
  summary: "Make a single-use invitation link for a role (admin)",
  tags: ["users"],
  middleware: [admins()] as const,
  request: {
    body: jsonBody(
      z
        .object({
          role: z.enum(roles),
          note: z.string().min(1).max(200).openapi({ description: "who it is for, for the admins' list" }),
          expiresInHours: z.number().int().min(1).max(720).default(72),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonContent(NewInvitationSchema, "The link, shown once"),
    ...errorResponses("BAD_REQUEST"),
  },
});

const list = createRoute({
  method: "get",
  path: "/",
  summary: "The org's invitations, newest first (admin)",
  tags: ["users"],
  middleware: [admins()] as const,
  responses: { 200: jsonContent(listOf(InvitationSchema), "Invitations") },
});

const revoke = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Revoke a pending invitation (admin)",
  tags: ["users"],
  middleware: [admins()] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(z.object({ id: z.string(), revokedAt: isoTime }), "Revoked"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

const accept = createRoute({
  method: "post",
  path: "/accept",
  summary:
    "Accept an invitation: signed in as a person, the org is added to you; else a new account (name, email) is made. Starts a session.",
  tags: ["users"],
  request: {
    body: jsonBody(
      z
        .object({
          token: z.string().regex(/^shi_[0-9A-Za-z]{43}$/, "an invitation link's secret"),
          name: z.string().trim().min(1).max(128).optional(),
          email: z.email().max(254).optional(),
        })
        .strict(),
    ),
  },
  responses: {
    200: jsonContent(StartedSessionSchema, "Joined and signed in"),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "CONFLICT"),
  },
});

/** The dashboard's origin for links: the configured public URL, else where this request came in. */
const originOf = (publicUrl: string | undefined, requestUrl: string) =>
  new URL(publicUrl ?? requestUrl).origin;

export const invitationRoutes = newRouter()
  .openapi(create, async (c) => {
    const { role, note, expiresInHours } = c.req.valid("json");
    const made = await createInvitation(c.var.db, c.var.principal, {
      role,
      note,
      ttlMs: expiresInHours * HOUR_MS,
    });
    // The secret rides in the fragment: browsers never send it to the server or in Referer.
    const url = `${originOf(c.env.SELFHEAL_PUBLIC_URL, c.req.url)}/invite#${made.token}`;
    return c.json({ ...made, url }, 201);
  })
  .openapi(list, async (c) => c.json({ items: await listInvitations(c.var.db, c.var.principal.orgId) }, 200))
  .openapi(revoke, async (c) =>
    c.json(await revokeInvitation(c.var.db, c.var.principal.orgId, c.req.valid("param").id), 200),
  )
  .openapi(accept, async (c) => {
    const { token, name, email } = c.req.valid("json");
    const now = Date.now();
    const secret = sessionSecret(c);
    const caller = secret ? await resolveSession(c.var.db, c.env, secret, now) : null;
    const userAgent = c.req.header("user-agent");
    const joined = await acceptInvitation(
      c.var.db,
      caller ?? undefined,
      { secret: token, name, email, userAgent },
      now,
    );
    setSessionCookie(c, joined.session.secret, joined.session.expiresAt);
    const view = sessionView({
      scope: joined.role,
      orgId: joined.orgId,
      tokenId: null,
      hostId: null,
      name: joined.user.name,
      userId: joined.user.id,
      sessionId: joined.session.id,
    });
    return c.json({ ...view, expiresAt: new Date(joined.session.expiresAt).toISOString() }, 200);
  });
