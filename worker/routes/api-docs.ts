/**
 * GET /api/docs: Swagger UI over /api/openapi.json. The page is public (it holds nothing; the
 * document it loads still needs a reader's session or token). Swagger UI's files come from one
 * CDN at a pinned version, so this page alone gets a CSP allowing that CDN and its one inline
 * script, by hash; everything else keeps the dashboard's and the API's policies.
 */
import { swaggerUI } from "@hono/swagger-ui";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

export const SWAGGER_UI_VERSION = "5.36.0";
export const DOCS_CDN = "https://cdn.jsdelivr.net";

export const apiDocsPage = swaggerUI({
  url: "/api/openapi.json",
  version: SWAGGER_UI_VERSION,
  title: "selfheal API",
  persistAuthorization: false,
});

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The docs page's CSP: its CDN for script and style, its inline start-up script by hash. */
export async function docsCsp(html: string): Promise<string> {
  const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const hashes = (await Promise.all(inline.map(sha256))).map((h) => `'sha256-${h}'`).join(" ");
  return (
    `default-src 'none'; script-src ${DOCS_CDN} ${hashes}; style-src ${DOCS_CDN}; ` +
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'"
  );
}

/** Sets the docs page's own CSP, which the security-headers middleware then leaves alone. */
export const docsHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.res.headers.set("Content-Security-Policy", await docsCsp(await c.res.clone().text()));
});
