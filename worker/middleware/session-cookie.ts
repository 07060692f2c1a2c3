/**
 * The dashboard's session cookie: a random session secret (never an API token), HttpOnly,
 * SameSite=Lax (an invitation link opened from mail arrives signed in), Path=/. Over https it is
 * `__Host-selfheal_session`: Secure, and no sibling subdomain can set or shadow it. Plain http
 * (local development) cannot carry the prefix, so there it is `selfheal_session`.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "selfheal_session";
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

const secureRequest = (c: Context) => new URL(c.req.url).protocol === "https:";
const cookieName = (c: Context) => (secureRequest(c) ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

/** The session secret the request carries, if any (over https only the prefixed cookie counts). */
export const sessionSecret = (c: Context): string | undefined => getCookie(c, cookieName(c));

export function setSessionCookie(c: Context, secret: string, expiresAt: number): void {
  setCookie(c, cookieName(c), secret, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: secureRequest(c),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, cookieName(c), { path: "/", secure: secureRequest(c) });
}
