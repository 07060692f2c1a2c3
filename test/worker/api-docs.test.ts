/** The interactive API docs at /api/docs: Swagger UI over the served OpenAPI document. */
import { describe, expect, it } from "vitest";
import { createApp, openApiDocument } from "../../worker/app";
import { COMMON_HEADERS } from "../../worker/middleware/security-headers";
import { call, newTenant } from "./support/harness";

async function sha256(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

describe("the API docs page", () => {
  it("GET /api/docs answers an HTML page, without credentials, that loads /api/openapi.json", async () => {
    const res = await call("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("url: '/api/openapi.json'");
    expect(html).toContain('<script src="/vendor/swagger-ui-dist/swagger-ui-bundle.js"');
    expect(html).toContain('<link rel="stylesheet" href="/vendor/swagger-ui-dist/swagger-ui.css"');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("loads only from its own origin, its inline start-up script allowed by hash alone", async () => {
    const res = await call("/api/docs");
    const html = await res.text();
    const csp = res.headers.get("content-security-policy") ?? "";
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(inline).toHaveLength(1);
    expect(csp).toContain(`script-src 'self' 'sha256-${await sha256(inline[0])}';`);
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    for (const [name, value] of Object.entries(COMMON_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });

  it("the document it loads still needs a reader, and is the one the validator test builds", async () => {
    expect((await call("/api/openapi.json")).status).toBe(401);
    const t = await newTenant();
    const res = await call("/api/openapi.json", { token: t.admin });
    expect(res.status).toBe(200);
    // test/api/openapi-document.test.ts validates createApp's document with these settings.
    expect(await res.json()).toEqual(createApp().getOpenAPI31Document(openApiDocument));
  });
});
