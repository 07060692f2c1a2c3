/**
 * Security headers on everything the Worker answers. The dashboard's own files are served by the
 * assets binding without the Worker, so web/public/_headers sends the same set for them; a test
 * holds the two together.
 *
 * The dashboard runs under a CSP with no inline script or style and no eval: Vite emits only
 * files, Preact and uPlot set styles through the DOM (which a CSP allows), and the favicon is a
 * data: image. Nothing may frame it, and API answers may load nothing at all.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'";
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export const COMMON_HEADERS = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
} as const;
const COMMON_ENTRIES = Object.entries(COMMON_HEADERS);

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // A response from the assets binding has immutable headers: answer with a copy.
  let res = c.res;
  if (!c.req.path.startsWith("/api/")) res = new Response(res.body, res);
  const html = res.headers.get("content-type")?.startsWith("text/html") ?? false;
  // The API docs page (routes/api-docs.ts) sets its own, for its CDN and its inline script.
  if (!(c.req.path === "/api/docs" && res.headers.has("Content-Security-Policy")))
    res.headers.set("Content-Security-Policy", html ? DASHBOARD_CSP : API_CSP);
  for (const [name, value] of COMMON_ENTRIES) res.headers.set(name, value);
  if (res !== c.res) {
    c.res = undefined;
    c.res = res;
  }
});
