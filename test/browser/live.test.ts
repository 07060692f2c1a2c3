/**
 * The dashboard is live by events: against the real Worker and a real agent, a service killed on
 * the host opens an issue that an open Issues page shows within a second of the edge opening it,
 * and the row leaves within a second of the edge resolving it. The page's own poll of that list
 * runs once a minute while its events channel is open, so only the pushed event can make it.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLab, waitFor } from "../../scripts/lib/lab.mjs";
import { type Browser, openBrowser, screenshots } from "./harness";

type Lab = Awaited<ReturnType<typeof startLab>>;
const HOST = "live-host";

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

/** In-page (a string: the type-check has no DOM library): notes when a row for `target` comes and goes. */
const watchRow = (target: string) => `(() => {
  window.__row = { seenAt: null, goneAt: null };
  const has = () => [...document.querySelectorAll('[data-testid="issue-row"]')].some((r) => r.textContent.includes(${JSON.stringify(target)}));
  new MutationObserver(() => {
    const now = Date.now();
    if (has()) { if (window.__row.seenAt === null) window.__row.seenAt = now; }
    else if (window.__row.seenAt !== null && window.__row.goneAt === null) window.__row.goneAt = now;
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

describe("a live dashboard, pushed by the org's events channel", () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lab = await startLab({ services: 1, interval: 2, hostName: HOST });
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(20_000);
    await page.goto(lab.worker.url);
    await page.getByTestId("signin-token").fill(lab.adminToken);
    await page.getByTestId("signin-submit").click();
    await page.getByTestId("host-row").filter({ hasText: HOST }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });
  afterEach(() => {
    expect(browser.errors.take(), "console errors and uncaught exceptions").toEqual([]);
  });

  it("shows an issue opened on the edge within 1 s, and its resolution within 1 s", async () => {
    const svc = lab.services[0];
    await nav(page, "Issues").click();
    await page.locator('html[data-events="open"]').waitFor();
    await page.getByText("No open issues. All is well.").waitFor();
    await page.evaluate(watchRow(svc.name));
    // healing off, so the issue stays open until we turn it back on
    await lab.call("POST", "/api/healing/config", { enabled: false });
    try {
      process.kill(lab.pidOf(svc), "SIGKILL");
      const row = page.getByTestId("issue-row").filter({ hasText: svc.name });
      await row.waitFor({ timeout: 30_000 });
      const [issue] = (await lab.call("GET", `/api/healing/issues?status=active`)).items;
      const seenAt = await page.evaluate<number>("window.__row.seenAt");
      const openedLag = seenAt - Date.parse(issue.detectedAt);
      await screenshots(page, "live-issue-open");

      await lab.call("POST", "/api/healing/config", { enabled: true });
      await row.waitFor({ state: "detached", timeout: 40_000 });
      const resolved = await lab.call("GET", `/api/healing/issues/${issue.id}`);
      expect(resolved.status).toBe("resolved");
      const goneAt = await page.evaluate<number>("window.__row.goneAt");
      const resolvedLag = goneAt - Date.parse(resolved.resolvedAt);
      console.log(JSON.stringify({ liveDashboard: { openedLagMs: openedLag, resolvedLagMs: resolvedLag } }));
      expect(openedLag).toBeLessThan(1000);
      expect(resolvedLag).toBeLessThan(1000);
    } finally {
      await lab.call("POST", "/api/healing/config", { enabled: true });
      await waitFor(
        async () => (await lab.call("GET", "/api/healing/issues?status=active")).items.length === 0,
        {
          timeoutMs: 40_000,
          what: "no open issue left",
        },
      );
    }
  });

  it("fetches at once when a filter changes, without waiting for the next poll", async () => {
    await nav(page, "Issues").click();
    await page.locator('html[data-events="open"]').waitFor();
    const started = Date.now();
    await page.getByTestId("filter-status").selectOption("resolved");
    await page.getByTestId("issue-row").filter({ hasText: lab.services[0].name }).first().waitFor();
    expect(Date.now() - started).toBeLessThan(3000);
    await page.getByTestId("filter-status").selectOption("active");
    await page.getByText("No open issues. All is well.").waitFor({ timeout: 3000 });
  });
});
