/**
 * Sign-in that does not work, in a real browser against the real Worker: each refusal is said in
 * words beside the form (an empty field before asking the server, an unknown token, a token that
 * is not for people, a spent invitation link), and the form can be tried again at once.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { type Browser, screenshots } from "./support/harness";
import { type Lab, useLabBrowser } from "./support/lab-browser";

/** The refusals this file provokes: the browser logs each as a failed request. */
const REFUSED = /\/api\/v1\/(session|invitations\/accept)$/;

describe("sign-in refusals in a real browser, against the real Worker", () => {
  const env = useLabBrowser({ services: 0, interval: 2, hostName: "sign-in-host" });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  beforeAll(() => {
    ({ lab, browser, page } = env);
  });

  const alert = () => page.getByRole("alert");

  it("says what is wrong with a token, and the form stays usable for the next one", async () => {
    browser.errors.expectFailedRequest(REFUSED);
    await page.goto(lab.worker.url);
    const submit = page.getByTestId("signin-submit");
    await submit.click();
    await alert().filter({ hasText: "Enter an API token." }).waitFor();

    await page.getByTestId("signin-token").fill("sh_admin_not-a-token-anyone-was-given");
    await submit.click();
    await alert().filter({ hasText: "That token is not valid (unknown or revoked)." }).waitFor();
    await expect(submit.isEnabled()).resolves.toBe(true);

    const { token } = await lab.call("POST", "/api/v1/tokens", { scope: "enroll", name: "not for people" });
    await page.getByTestId("signin-token").fill(token);
    await submit.click();
    await alert()
      .filter({ hasText: "Only admin, operator and read tokens can sign in to the dashboard." })
      .waitFor();
    await expect(submit.isEnabled()).resolves.toBe(true);
    await screenshots(page, "sign-in-refused");

    await page.getByTestId("signin-token").fill(lab.adminToken);
    await submit.click();
    await page.getByTestId("signout").waitFor();
    await page.getByTestId("signout").click();
    await page.getByTestId("signin-token").waitFor();
  });

  it("asks for a name and email first, and says a spent invitation link is spent", async () => {
    browser.errors.expectFailedRequest(REFUSED);
    const invite = (await lab.call("POST", "/api/v1/invitations", { role: "read", note: "twice" })) as {
      token: string;
      url: string;
    };
    const used = await fetch(`${lab.worker.url}/api/v1/invitations/accept`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: invite.token, name: "First", email: "first@example.com" }),
    });
    expect(used.status, await used.clone().text()).toBe(200);

    await page.goto(`${lab.worker.url}/invite#${invite.token}`);
    const accept = page.getByTestId("invite-accept");
    await accept.click();
    await alert().filter({ hasText: "Enter your name and email." }).waitFor();
    await page.getByTestId("invite-name").fill("Second");
    await page.getByTestId("invite-email").fill("second@example.com");
    await accept.click();
    await alert()
      .filter({ hasText: "This invitation link was already used, revoked, or has expired." })
      .waitFor();
    await expect(accept.isEnabled()).resolves.toBe(true);
    await expect(accept.textContent()).resolves.toBe("Accept the invitation");
  });
});
