/**
 * Retiring a host from its page in a real browser, against the real Worker and a real agent: the
 * admin is asked first (a dismissed question changes nothing), then the host leaves the overview,
 * and its agent is refused from then on. The overview shows the fleet's uptime headline.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../scripts/lib/lab.mjs";
import { type Lab, useLabBrowser } from "./support/lab-browser";

const HOST = "retire-host";

describe("retiring a host from the dashboard", () => {
  const env = useLabBrowser({ services: 1, interval: 2, hostName: HOST });
  let lab: Lab;
  let page: Page;
  beforeAll(() => {
    ({ lab, page } = env);
  });

  it("asks first, then retires the host: it leaves the overview and its agent is refused", async () => {
    await page.goto(lab.worker.url);
    await page.getByTestId("signin-token").fill(lab.adminToken);
    await page.getByTestId("signin-submit").click();
    await page.locator('[data-testid="host-row"]', { hasText: HOST }).waitFor();
    await expect(page.getByTestId("kpi-uptime").textContent()).resolves.toMatch(/Uptime \(30 d\)/);

    await page.getByTestId("host-link").filter({ hasText: HOST }).click();
    await page.getByTestId("host-title").filter({ hasText: HOST }).waitFor();
    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await page.getByTestId("retire-host").click();
    await waitFor(async () => asked !== "", { what: "the confirmation" });
    expect(asked).toContain(`Retire the host “${HOST}”`);
    const [host] = (await lab.call("GET", "/api/v1/hosts")).items;
    expect(host).toMatchObject({ name: HOST, retiredAt: null });

    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("retire-host").click();
    await page.getByTestId("overall-status").waitFor();
    await waitFor(
      async () => (await page.locator('[data-testid="host-row"]', { hasText: HOST }).count()) === 0,
      {
        what: "the host gone from the overview",
      },
    );
    expect((await lab.call("GET", "/api/v1/hosts")).items).toEqual([]);
    const retired = await lab.call("GET", `/api/v1/hosts/${host.id}`);
    expect(retired.retiredAt).toEqual(expect.any(String));
    // the agent keeps trying every 2 s, refused: the host is seen no more
    await new Promise((r) => setTimeout(r, 5000));
    expect((await lab.call("GET", `/api/v1/hosts/${host.id}`)).lastSeenAt).toBe(retired.lastSeenAt);
  });
});
