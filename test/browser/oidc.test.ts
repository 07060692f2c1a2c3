/**
 * OpenID Connect in the dashboard: an invitation link accepted by signing in at a local provider
 * (built from jose keys, served over http), signing in again from the sign-in page, ending another
 * browser's session in "My sessions" and signing out, each ended session's cookie then refused.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { oidcProvider } from "../worker/support/oidc-provider";
import { nav, useLabBrowser } from "./support/lab-browser";

const CLIENT_ID = "selfheal-dashboard";
const CLIENT_SECRET = "browser-client-secret-0123456789";

let provider: Awaited<ReturnType<typeof oidcProvider>> | undefined;
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const answer = await (provider as NonNullable<typeof provider>).handle(
    new Request(`${issuer}${req.url ?? "/"}`, {
      method: req.method,
      headers: {
        authorization: req.headers.authorization ?? "",
        "content-type": req.headers["content-type"] ?? "",
      },
      body: hasBody ? Buffer.concat(chunks) : undefined,
    }),
  );
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(Buffer.from(await answer.arrayBuffer()));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
provider = await oidcProvider(issuer, CLIENT_ID, CLIENT_SECRET);
afterAll(() => new Promise((resolve) => server.close(resolve)));

const env = useLabBrowser({
  services: 1,
  vars: {
    SELFHEAL_OIDC_ISSUER: issuer,
    SELFHEAL_OIDC_CLIENT_ID: CLIENT_ID,
    SELFHEAL_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    SELFHEAL_OIDC_NAME: "Test IdP",
  },
});

/** The round trip another browser would make, without one: its session cookie. */
async function signInElsewhere(worker: string): Promise<string> {
  const start = await fetch(`${worker}/api/v1/session/oidc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(start.status, await start.clone().text()).toBe(200);
  const state = (start.headers.get("set-cookie") ?? "").split(";")[0];
  const { url } = (await start.json()) as { url: string };
  const back = (await fetch(url, { redirect: "manual" })).headers.get("location") ?? "";
  const done = await fetch(back, { headers: { cookie: state }, redirect: "manual" });
  expect(done.status).toBe(302);
  const cookie = /selfheal_session=[0-9A-Za-z]{43}/.exec(done.headers.get("set-cookie") ?? "")?.[0];
  expect(cookie).toBeDefined();
  return cookie as string;
}

const statusWith = (worker: string, cookie: string) =>
  fetch(`${worker}/api/healing/status`, { headers: { cookie } }).then((r) => r.status);

describe("OpenID Connect in the dashboard", () => {
  it("joins by an invitation through the provider, signs in again from the sign-in page, and ended sessions' cookies get 401", async () => {
    const { lab, page } = env;
    const worker = lab.worker.url;
    const person = provider as NonNullable<typeof provider>;
    const sub = `ada-${Date.now().toString(36)}`; // a retry signs in someone new
    person.person = { sub, email: `${sub}@example.com`, email_verified: true, name: "Ada Lovelace" };
    const invite = (await lab.call("POST", "/api/v1/invitations", { role: "operator", note: "Ada" })) as {
      url: string;
    };

    await page.goto(invite.url);
    await page.getByTestId("invite-oidc").click();
    await page.getByTestId("signout").waitFor();
    const me = await page.evaluate(() => fetch("/api/v1/session").then((r) => r.json()));
    expect(me).toMatchObject({ signedIn: true, name: "Ada Lovelace", scope: "operator" });
    const first = (await page.context().cookies()).find((c) => c.name === "selfheal_session");
    expect(first?.httpOnly).toBe(true);

    await page.getByTestId("signout").click();
    await page.getByTestId("signin-oidc").waitFor();
    expect(await page.getByTestId("signin-oidc").textContent()).toContain("Sign in with Test IdP");
    expect(await statusWith(worker, `selfheal_session=${first?.value}`)).toBe(401);

    // Linked at the invitation: no link needed now.
    await page.getByTestId("signin-oidc").click();
    await page.getByTestId("signout").waitFor();
    const elsewhere = await signInElsewhere(worker);
    expect(await statusWith(worker, elsewhere)).toBe(200);
    await nav(page, "Settings").click();
    await page.getByTestId("my-session-row").nth(1).waitFor();
    await page.getByTestId("my-session-end").click();
    await page.getByText("That browser is signed out.").waitFor();
    expect(await statusWith(worker, elsewhere)).toBe(401);

    const current = (await page.context().cookies()).find((c) => c.name === "selfheal_session");
    await page.getByTestId("signout").click();
    await page.getByTestId("signin-oidc").waitFor();
    expect(await statusWith(worker, `selfheal_session=${current?.value}`)).toBe(401);

    // The invitation link, once used, is refused before the browser leaves for the provider.
    env.browser.errors.expectFailedRequest(/\/api\/v1\/session\/oidc$/);
    await page.goto(invite.url);
    const viaProvider = page.getByTestId("invite-oidc");
    await viaProvider.click();
    await page.getByRole("alert").filter({ hasText: "This invitation link was already used" }).waitFor();
    await expect(viaProvider.isEnabled()).resolves.toBe(true);
    expect(new URL(page.url()).pathname).toBe("/invite");
  });

  it("shows on the sign-in page why the provider's round trip was refused, and takes the reason out of the address", async () => {
    const { lab, page } = env;
    await page.goto(`${lab.worker.url}/api/v1/session/oidc/callback?code=stolen&state=forged`);
    const notice = page.getByRole("status").filter({ hasText: "Sign-in failed:" });
    await notice.waitFor();
    expect(await notice.textContent()).toContain("could not be checked, or this sign-in expired");
    await page.getByTestId("signin-oidc").waitFor();
    expect(new URL(page.url()).search).toBe("");
  });

  it("never shows text from the address: a crafted reason reads as a plain failure", async () => {
    const { lab, page } = env;
    const lure = "Your account is locked. Call +1 555 0100 to unlock it";
    await page.goto(`${lab.worker.url}/?sign_in_failed=${encodeURIComponent(lure)}`);
    const notice = page.getByRole("status").filter({ hasText: "Sign-in failed" });
    await notice.waitFor();
    expect((await notice.textContent())?.trim()).toBe("Sign-in failed.");
    expect(await page.content()).not.toContain("555 0100");
    expect(new URL(page.url()).search).toBe("");
  });
});
