/**
 * People, invitations and sessions in a real browser, against the real Worker: an invitation link
 * shown once and revoked, a member who joined by link given a new role and removed only once the
 * admin confirms, another browser signed out from "My sessions", and detail pages for an id that
 * does not exist.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { Invitation, Member, MySession, NewInvitation } from "../../worker/schemas/accounts";
import type { Browser } from "./support/harness";
import { type Lab, nav, useLabBrowser } from "./support/lab-browser";

const HOST = "people-host";

describe("people, invitations and sessions in a real browser, against the real Worker", () => {
  const env = useLabBrowser({ services: 0, interval: 2, hostName: HOST }, { signIn: true });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  beforeAll(() => {
    ({ lab, browser, page } = env);
  });

  /** Settings, opened afresh so its lists load now rather than at their next poll. */
  const openSettings = async () => {
    await nav(page, "Overview").click();
    await nav(page, "Settings").click();
    await page.getByRole("heading", { name: "People" }).waitFor();
  };

  it("makes an invitation link shown once, lists it as pending, and revokes it", async () => {
    await openSettings();
    await page.getByTestId("invite-note").fill("night on-call");
    await page.getByTestId("invite-role").selectOption("read");
    await page.getByTestId("invite-create").click();
    const url = (await page.getByTestId("invite-url").textContent()) ?? "";
    expect(url).toMatch(/shi_[0-9A-Za-z]{43}/);
    await page.getByRole("status").filter({ hasText: "Invitation made" }).waitFor();
    const row = page.getByTestId("invitation-row").filter({ hasText: "night on-call" });
    await row.waitFor();

    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("status").filter({ hasText: "Invitation revoked" }).waitFor();
    await row.waitFor({ state: "detached" });
    const { items } = (await lab.call("GET", "/api/v1/invitations")) as { items: Invitation[] };
    expect(items.find((i) => i.note === "night on-call")?.status).toBe("revoked");
  });

  it("gives a member who joined by link a new role, and removes them only once confirmed", async () => {
    const made = (await lab.call("POST", "/api/v1/invitations", {
      role: "read",
      note: "Ada",
    })) as NewInvitation;
    const joined = await fetch(`${lab.worker.url}/api/v1/invitations/accept`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: lab.worker.url },
      body: JSON.stringify({ token: made.token, name: "Ada Lovelace", email: "ada@example.com" }),
    });
    expect(joined.status).toBe(200);
    const members = async () => ((await lab.call("GET", "/api/v1/users")) as { items: Member[] }).items;
    const ada = async () => (await members()).find((m) => m.name === "Ada Lovelace");

    await openSettings();
    await page.getByLabel("Role of Ada Lovelace").selectOption("operator");
    await page.getByRole("status").filter({ hasText: "Ada Lovelace is now operator." }).waitFor();
    expect((await ada())?.role).toBe("operator");

    const row = page.getByTestId("member-row").filter({ hasText: "Ada Lovelace" });
    page.once("dialog", (d) => void d.dismiss());
    await row.getByRole("button", { name: "Remove" }).click();
    expect(await ada()).toBeDefined(); // dismissed: nothing sent

    page.once("dialog", (d) => {
      expect(d.message()).toContain("Remove Ada Lovelace from this org?");
      void d.accept();
    });
    await row.getByRole("button", { name: "Remove" }).click();
    await page.getByRole("status").filter({ hasText: "Ada Lovelace was removed." }).waitFor();
    await row.waitFor({ state: "detached" });
    expect(await ada()).toBeUndefined();
  });

  it("signs another browser out from My sessions, and offers no button for this one", async () => {
    const other = await fetch(`${lab.worker.url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: lab.worker.url },
      body: JSON.stringify({ token: lab.adminToken }),
    });
    expect(other.status).toBe(200);
    const cookie = (other.headers.get("set-cookie") ?? "").split(";")[0];
    const otherSession = () => fetch(`${lab.worker.url}/api/v1/me/sessions`, { headers: { cookie } });
    const { items } = (await (await otherSession()).json()) as { items: MySession[] };
    const otherId = items.find((s) => s.current)?.id;

    expect(otherId).toBeDefined();

    await openSettings();
    const rows = page.getByTestId("my-session-row");
    const mine = rows.filter({ hasText: "(this one)" });
    await mine.waitFor();
    await expect(rows.count()).resolves.toBe(2);
    await expect(mine.getByTestId("my-session-end").count()).resolves.toBe(0);
    const end = page.getByTestId("my-session-end");
    await end.click();
    await page.getByRole("status").filter({ hasText: "That browser is signed out." }).waitFor();
    await end.waitFor({ state: "detached" });
    await expect(rows.count()).resolves.toBe(1);
    await mine.waitFor();
    expect((await otherSession()).status).toBe(401);
  });

  it("says an issue or a fleet incident that does not exist is not there, with no retry", async () => {
    browser.errors.expectFailedRequest(/\/api\/healing\/issues\/iss_nothing$/);
    browser.errors.expectFailedRequest(/\/api\/v1\/incidents\/inc_nothing$/);
    await page.goto(`${lab.worker.url}/issues/iss_nothing`);
    await page.getByRole("alert").filter({ hasText: "There is no issue iss_nothing." }).waitFor();
    await expect(page.getByRole("button", { name: "Retry" }).count()).resolves.toBe(0);
    await page.getByRole("link", { name: "Issues" }).first().waitFor();

    await page.goto(`${lab.worker.url}/incidents/inc_nothing`);
    await page.getByRole("alert").filter({ hasText: "There is no fleet incident inc_nothing." }).waitFor();
    await expect(page.getByRole("button", { name: "Retry" }).count()).resolves.toBe(0);
  });
});
