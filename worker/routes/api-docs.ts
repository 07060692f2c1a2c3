/**
 * GET /api/docs: Swagger UI over /api/openapi.json. The page is public (it holds nothing; the
 * document it loads still needs a reader's session or token). Swagger UI's files are served with
 * the dashboard's (web/vite.config.ts copies them from swagger-ui-dist), so nothing comes from a
 * CDN; the page's one inline start-up script is allowed by its hash in a CSP of its own.
 */
import { swaggerUI } from "@hono/swagger-ui";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

/** Where the dashboard's assets hold Swagger UI: <this>/swagger-ui-dist/swagger-ui-bundle.js. */
export const SWAGGER_UI_BASE = "/vendor";

export const apiDocsPage = swaggerUI({
  url: "/api/openapi.json",
  baseUrl: SWAGGER_UI_BASE,
  title: "selfheal API",
  persistAuthorization: false,
});

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The docs page's CSP: its own origin's script and style, its inline start-up script by hash. */
export async function docsCsp(html: string): Promise<string> {
  const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const hashes = (await Promise.all(inline.map(sha256))).map((h) => `'sha256-${h}'`).join(" ");
  return (
    `default-src 'none'; script-src 'self' ${hashes}; style-src 'self'; ` +
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'"
  );
}

/** Sets the docs page's own CSP, which the security-headers middleware then leaves alone. */
export const docsHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.res.headers.set("Content-Security-Policy", await docsCsp(await c.res.clone().text()));
});
