/**
 * Signing a person in through OpenID Connect. Starting stores the sign-in (PKCE verifier, nonce,
 * the invitation it carries) in D1 under the hash of its random state, and the browser keeps only
 * the state in a short-lived cookie: the callback must bring the same state in its query and its
 * cookie, and the row is deleted as it is read, so a replayed callback finds nothing.
 *
 * Who signs in: the person linked to the issuer's subject; the first time, the account whose
 * email the issuer says it verified (then linked). Anyone else needs an invitation, which makes
 * their account from the ID token's name and email.
 */
import { and, asc, eq, lte } from "drizzle-orm";
import { type Db, runBatch, type Statement } from "../../db/client";
import { identities, memberships, oidcLogins, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ApiError } from "../../lib/errors";
import { MINUTE } from "../../lib/time";
import { audit, runAs } from "./audit";
import { acceptInvitation, invitationUsable } from "./invitations";
import { authorizationUrl, type OidcConfig, redeemCode, refused, type VerifiedIdentity } from "./oidc-client";
import { newSession } from "./sessions";

/** Time to get through the identity provider's pages. */
export const OIDC_LOGIN_TTL_MS = 10 * MINUTE;

export interface Start {
  redirectUri: string;
  /** An invitation link's secret: the sign-in accepts it. */
  invitation?: string;
  returnTo: string;
}

/** Records a new sign-in and returns where to send the browser, and the state for its cookie. */
export async function startOidcSignIn(db: Db, cfg: OidcConfig, start: Start, now = Date.now()) {
  const invitationHash = start.invitation ? await sha256Hex(start.invitation) : null;
  if (invitationHash && !(await invitationUsable(db, invitationHash, now)))
    throw new ApiError("UNAUTHORIZED", "unknown, used, revoked or expired invitation");
  const { url, pending } = await authorizationUrl(cfg, start.redirectUri, now);
  await runBatch(db, [
    db.delete(oidcLogins).where(lte(oidcLogins.expiresAt, now)), // abandoned sign-ins
    db.insert(oidcLogins).values({
      stateHash: await sha256Hex(pending.state),
      issuer: cfg.issuer.href,
      codeVerifier: pending.codeVerifier,
      nonce: pending.nonce,
      invitationHash,
      returnTo: start.returnTo,
      createdAt: now,
      expiresAt: now + OIDC_LOGIN_TTL_MS,
    }),
  ]);
  return { url, state: pending.state, expiresAt: now + OIDC_LOGIN_TTL_MS };
}

export interface Finish {
  /** The state from the browser's cookie (the query's must match it). */
  state: string;
  callback: URL;
  redirectUri: string;
  userAgent?: string | null;
}

/** Claims the sign-in the state names: once, unexpired, for the issuer configured now. */
async function claimLogin(db: Db, cfg: OidcConfig, state: string, now: number) {
  const [login] = await db
    .delete(oidcLogins)
    .where(eq(oidcLogins.stateHash, await sha256Hex(state)))
    .returning();
  if (!login || login.expiresAt <= now || login.issuer !== cfg.issuer.href)
    throw refused("unknown, used or expired sign-in: start again");
  return login;
}

/** The person this login belongs to, and whether the login must be linked to them now. */
async function personOf(db: Db, id: VerifiedIdentity) {
  const [linked] = await db
    .select({ id: users.id, name: users.name })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.issuer, id.issuer), eq(identities.subject, id.subject)));
  if (linked) return { ...linked, link: false };
  if (!id.email || !id.emailVerified) return null;
  const [byEmail] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(eq(users.email, id.email));
  return byEmail ? { ...byEmail, link: true } : null;
}

const linkIdentity = (db: Db, id: VerifiedIdentity, userId: string, now: number) =>
  db
    .insert(identities)
    .values({ issuer: id.issuer, subject: id.subject, userId, createdAt: now })
    .onConflictDoNothing();

/** Finishes a sign-in: a new server session for the person (and their invitation accepted). */
export async function finishOidcSignIn(db: Db, cfg: OidcConfig, finish: Finish, now = Date.now()) {
  const login = await claimLogin(db, cfg, finish.state, now);
  const pending = { state: finish.state, codeVerifier: login.codeVerifier, nonce: login.nonce };
  const id = await redeemCode(cfg, finish.callback, finish.redirectUri, pending, now);
  const person = await personOf(db, id);
  const returnTo = login.returnTo;
  if (login.invitationHash) {
    if (!person && !id.email)
      throw new ApiError("BAD_REQUEST", "the identity provider gave no email for the new account");
    const joined = await acceptInvitation(
      db,
      person ? { userId: person.id } : undefined,
      {
        secretHash: login.invitationHash,
        name: person ? undefined : (id.name ?? id.email?.split("@")[0]),
        email: person ? undefined : (id.email ?? undefined),
        userAgent: finish.userAgent,
        also: (userId) => (person?.link === false ? [] : [linkIdentity(db, id, userId, now)]),
      },
      now,
    );
    const owner = { orgId: joined.orgId, userId: joined.user.id, scope: joined.role, name: joined.user.name };
    return { session: joined.session, owner, returnTo };
  }
  if (!person)
    throw new ApiError(
      "FORBIDDEN",
      `${id.email ?? "this login"} has no account here: ask an admin for an invitation link`,
    );
  const [member] = await db
    .select({ orgId: memberships.orgId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.userId, person.id))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  if (!member) throw new ApiError("FORBIDDEN", `${person.name} is no longer a member of any org`);
  const owner = { orgId: member.orgId, userId: person.id, scope: member.role, name: person.name };
  const session = await newSession(db, { ...owner, tokenId: null, userAgent: finish.userAgent }, now);
  const writes: Statement[] = [session.insert];
  if (person.link) {
    const actor = { tokenId: null, userId: person.id, name: person.name, scope: member.role };
    writes.push(
      linkIdentity(db, id, person.id, now),
      runAs(actor, () =>
        audit(db, member.orgId, "user.link", person.id, `${person.name} linked a login at ${id.issuer}`),
      ),
    );
  }
  await runBatch(db, writes);
  return { session, owner, returnTo };
}
