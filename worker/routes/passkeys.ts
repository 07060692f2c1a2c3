/**
 * Passkeys: a person adds, lists, renames and removes their own; anyone signs in with one. Each
 * ceremony is two calls: options (a single-use challenge), then the browser's answer.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv, Principal } from "../env";
import { ApiError } from "../lib/errors";
import { errorResponses, idParam, jsonBody, jsonContent, listOf, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { setSessionCookie } from "../middleware/session-cookie";
import { StartedSessionSchema } from "../schemas/accounts";
import {
  AuthenticationResponseSchema,
  CeremonyOptionsSchema,
  PasskeySchema,
  passkeyName,
  RegistrationResponseSchema,
} from "../schemas/passkeys";
import { relyingPartyOf } from "../services/tenancy/passkey-challenges";
import { signInOptions, signInWithPasskey } from "../services/tenancy/passkey-sign-in";
import {
  listPasskeys,
  registerPasskey,
  registrationOptions,
  removePasskey,
  renamePasskey,
} from "../services/tenancy/passkeys";
import { sessionView } from "./session";

const tags = ["session"];

/** Passkeys belong to people: a token's session has none. */
function personOf(c: Context<AppEnv>): Principal & { userId: string } {
  const p = c.var.principal;
  if (!p.userId || p.tokenId !== null)
    throw new ApiError("FORBIDDEN", "passkeys belong to people: sign in as a person (not with a token)");
  return p as Principal & { userId: string };
}

const list = createRoute({
  tags,
  middleware: [readers()] as const,
  method: "get",
  path: "/",
  summary: "My passkeys",
  responses: {
    200: jsonContent(listOf(PasskeySchema), "Mine, oldest first"),
    ...errorResponses("FORBIDDEN"),
  },
});

const registerOptions = createRoute({
  tags,
  middleware: [readers()] as const,
  method: "post",
  path: "/register/options",
  summary: "Start adding a passkey: options for navigator.credentials.create()",
  responses: { 200: jsonContent(CeremonyOptionsSchema, "Creation options"), ...errorResponses("FORBIDDEN") },
});

const register = createRoute({
  tags,
  middleware: [readers()] as const,
  method: "post",
  path: "/register",
  summary: "Finish adding a passkey: the browser's new credential, verified and stored",
  request: {
    body: jsonBody(z.object({ response: RegistrationResponseSchema, name: passkeyName.optional() }).strict()),
  },
  responses: {
    201: jsonContent(PasskeySchema, "Added"),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "CONFLICT"),
  },
});

const rename = createRoute({
  tags,
  middleware: [readers()] as const,
  method: "patch",
  path: "/{id}",
  summary: "Rename one of my passkeys",
  request: { params: idParam, body: jsonBody(z.object({ name: passkeyName }).strict()) },
  responses: {
    200: jsonContent(PasskeySchema, "Renamed"),
    ...errorResponses("BAD_REQUEST", "FORBIDDEN", "NOT_FOUND"),
  },
});

const remove = createRoute({
  tags,
  middleware: [readers()] as const,
  method: "delete",
  path: "/{id}",
  summary: "Remove one of my passkeys (it can no longer sign in)",
  request: { params: idParam },
  responses: {
    200: jsonContent(z.object({ id: z.string() }), "Removed"),
    ...errorResponses("FORBIDDEN", "NOT_FOUND"),
  },
});

const signInStart = createRoute({
  method: "post",
  path: "/sign-in/options",
  summary: "Start signing in with a passkey: options for navigator.credentials.get() (email optional)",
  tags,
  request: { body: jsonBody(z.object({ email: z.email().max(254).optional() }).strict()) },
  responses: { 200: jsonContent(CeremonyOptionsSchema, "Request options"), ...errorResponses("BAD_REQUEST") },
});

const signIn = createRoute({
  method: "post",
  path: "/sign-in",
  summary: "Sign in with a passkey: the browser's assertion; starts a session in orgId or the first org",
  tags,
  request: {
    body: jsonBody(
      z
        .object({ response: AuthenticationResponseSchema, orgId: z.string().min(1).max(64).optional() })
        .strict(),
    ),
  },
  responses: {
    200: jsonContent(StartedSessionSchema, "Signed in"),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN"),
  },
});

const rpOf = (c: Context<AppEnv>) => relyingPartyOf(c.req.url);

export const passkeyRoutes = newRouter()
  .openapi(list, async (c) => c.json({ items: await listPasskeys(c.var.db, personOf(c).userId) }, 200))
  .openapi(registerOptions, async (c) =>
    c.json(await registrationOptions(c.var.db, rpOf(c), personOf(c).userId), 200),
  )
  .openapi(register, async (c) =>
    c.json(await registerPasskey(c.var.db, rpOf(c), personOf(c), c.req.valid("json")), 201),
  )
  .openapi(rename, async (c) =>
    c.json(
      await renamePasskey(c.var.db, personOf(c), c.req.valid("param").id, c.req.valid("json").name),
      200,
    ),
  )
  .openapi(remove, async (c) =>
    c.json(await removePasskey(c.var.db, personOf(c), c.req.valid("param").id), 200),
  )
  .openapi(signInStart, async (c) =>
    c.json(await signInOptions(c.var.db, rpOf(c), c.req.valid("json").email), 200),
  )
  .openapi(signIn, async (c) => {
    const userAgent = c.req.header("user-agent");
    const body = { ...c.req.valid("json"), userAgent };
    const { session, owner } = await signInWithPasskey(c.var.db, rpOf(c), body);
    setSessionCookie(c, session.secret, session.expiresAt);
    const view = sessionView({ ...owner, hostId: null, sessionId: session.id });
    return c.json({ ...view, expiresAt: new Date(session.expiresAt).toISOString() }, 200);
  });
