/**
 * Passkeys in a real browser (Chromium's virtual authenticator: CTAP2, built in, resident keys,
 * user verified), against the real Worker: an invitation makes an account and offers a passkey,
 * the person signs out and back in with it, and ends that browser's session from another
 * browser's "My sessions", which signs the first one out.
 */
import type { CDPSession, Page } from "playwright-core";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type Browser, openBrowser, screenshots } from "./support/harness";
import { type Lab, nav, useLabBrowser } from "./support/lab-browser";

/** A virtual platform authenticator for the page's browser; returns its CDP session and id. */
async function virtualAuthenticator(browser: Browser, page: Page) {
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** A settings table's column headings, the screen-reader-only actions heading among them. */
const headings = (page: Page, table: string) =>
  page.getByRole("region", { name: table }).getByRole("columnheader").allTextContents();

const credentialsOf = async (a: { cdp: CDPSession; authenticatorId: string }) =>
  (await a.cdp.send("WebAuthn.getCredentials", { authenticatorId: a.authenticatorId })).credentials;

describe("passkeys in a real browser, against the real Worker", () => {
  const env = useLabBrowser({ services: 0, interval: 2, hostName: "passkey-host" });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  /** A passkey's RP ID is a host name, so the dashboard is opened as localhost, not 127.0.0.1. */
  let origin: string;
  beforeAll(() => {
    ({ lab, browser, page } = env);
    origin = lab.worker.url.replace("127.0.0.1", "localhost");
  });

  it("accepts an invitation, adds a passkey, signs out, signs back in with it, and is signed out by a revoke", async () => {
    const email = `grace-${Date.now().toString(36)}@example.com`; // a retry makes someone new
    const authenticator = await virtualAuthenticator(browser, page);
    // A retry starts as this attempt did: signed out, and with no authenticator (Chromium takes
    // one internal authenticator per browser).
    onTestFinished(async () => {
      const { authenticatorId } = authenticator;
      await authenticator.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
      await page.goto("about:blank"); // before the cookies go: a signed-in page would poll into 401s
      await browser.context.clearCookies();
    });
    const { token } = await lab.call("POST", "/api/v1/invitations", { role: "operator", note: "Grace" });
    await page.goto(`${origin}/invite#${token}`);
    await page.getByTestId("invite-name").fill("Grace Hopper");
    await page.getByTestId("invite-email").fill(email);
    await page.getByTestId("invite-accept").click();
    await page.getByTestId("passkey-offer").waitFor();
    await screenshots(page, "passkey-offer");
    await page.getByTestId("passkey-offer-add").click();
    await page.getByTestId("signout").waitFor();
    const [made] = await credentialsOf(authenticator);
    expect(made).toMatchObject({ isResidentCredential: true, rpId: "localhost" });

    await nav(page, "Settings").click();
    await page.getByTestId("passkey-row").filter({ hasText: "Passkey" }).waitFor();
    expect(await headings(page, "My passkeys")).toEqual(["Name", "Added", "Last used", "Actions"]);

    await page.getByTestId("signout").click();
    await page.getByTestId("passkey-signin-submit").click(); // no email: the discoverable passkey
    await page.getByTestId("signout").waitFor();
    const [used] = await credentialsOf(authenticator);
    expect(used.signCount).toBeGreaterThan(made.signCount);

    // A second browser: the same passkey (copied into its authenticator), signed in as Grace too.
    const other = await openBrowser();
    try {
      const page2 = other.page;
      page2.setDefaultTimeout(20_000);
      const second = await virtualAuthenticator(other, page2);
      await second.cdp.send("WebAuthn.addCredential", {
        authenticatorId: second.authenticatorId,
        credential: used,
      });
      await page2.goto(origin);
      await page2.getByTestId("passkey-email").fill(email);
      await page2.getByTestId("passkey-signin-submit").click();
      await nav(page2, "Settings").click();
      await page2.getByTestId("my-session-row").filter({ hasText: "(this one)" }).waitFor();
      const first = page2.getByTestId("my-session-row").filter({ hasNotText: "(this one)" });
      await expect(first.count()).resolves.toBe(1);
      expect(await headings(page2, "My sessions")).toEqual([
        "Browser",
        "Signed in",
        "Last used",
        "Ends",
        "Actions",
      ]);
      await first.getByTestId("my-session-end").click();
      await page2.getByText("That browser is signed out.").waitFor();
      expect(other.errors.take()).toEqual([]);
    } finally {
      await other.close();
    }

    // The first browser finds out on its next request.
    await page.reload();
    await page.getByTestId("passkey-signin-submit").waitFor();
    await expect(page.getByTestId("signout").count()).resolves.toBe(0);
  });
});
