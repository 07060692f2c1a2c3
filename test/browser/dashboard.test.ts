/**
 * The fleet in a real browser, against the real Worker and a real agent: signing in and the first
 * paint, a host's live charts, self-healing switched off and on, approving and rejecting a waiting
 * action, the rule editor, the emergency protocols, and every page reached from the keyboard.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { timeUntilHealthy, waitFor } from "../../scripts/lib/lab.mjs";
import { type Browser, SCREENSHOTS, screenshots } from "./support/harness";
import { type Lab, nav, useLabBrowser } from "./support/lab-browser";

const HOST = "browser-host";

/** Reads a number attribute now; playwright's own waits do the polling. */
const points = (page: Page, chart: string) =>
  page.locator(`[data-testid="chart-${chart}"]`).evaluate((el) => Number(el.getAttribute("data-points")));

describe("the dashboard in a real browser, against the real Worker and a real agent", () => {
  const env = useLabBrowser({ services: 1, interval: 2, hostName: HOST });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  beforeAll(() => {
    ({ lab, browser, page } = env);
  });

  it("signs in with the admin token and paints the host row, and paints it again on a reload", async () => {
    await page.goto(lab.worker.url);
    await page.getByTestId("signin-token").fill(lab.adminToken);
    await page.getByTestId("signin-submit").click();
    const row = page.locator(`[data-testid="host-row"]`, { hasText: HOST });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain("online");

    // Signed in, a fresh load goes straight to the fleet (its speed is npm run bench:dashboard's).
    await page.reload();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain("online");

    await page.getByTestId("overall-status").waitFor();
    await screenshots(page, "overview");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(SCREENSHOTS, "overview-dark-1280.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("opens the host and sees its charts gain points without a reload", async () => {
    await page.evaluate("window.__sameDocument = true");
    await page.getByTestId("host-link").filter({ hasText: HOST }).click();
    await page.getByTestId("host-title").filter({ hasText: HOST }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/hosts\//);

    await page.locator('[data-testid="chart-cpu"] canvas').waitFor();
    await waitFor(async () => (await points(page, "cpu")) > 0, { what: "cpu points" });
    const before = await points(page, "cpu");
    await page.evaluate(`document.querySelector('[data-testid="chart-cpu"] canvas').__kept = true`);
    await waitFor(async () => (await points(page, "cpu")) > before, {
      timeoutMs: 15_000,
      what: "the cpu chart to gain points",
    });
    // The same canvas, fed new data (no chart torn down and redrawn: no flicker).
    expect(
      await page.evaluate(`document.querySelector('[data-testid="chart-cpu"] canvas').__kept === true`),
    ).toBe(true);
    for (const chart of ["memory", "disk", "net"]) expect(await points(page, chart)).toBeGreaterThan(0);
    expect(await page.evaluate("window.__sameDocument === true")).toBe(true);

    await page.getByTestId("service-row").filter({ hasText: "web0" }).waitFor();
    await page.getByTestId("range-1h").click();
    await expect(page.getByTestId("range-1h").getAttribute("aria-pressed")).resolves.toBe("true");
    await waitFor(async () => (await points(page, "cpu")) >= before, { what: "the 1 h range loaded" });
    await screenshots(page, "host");
  });

  it("keeps an issue open while self-healing is off, and heals it once switched back on", async () => {
    const svc = lab.services[0];
    await nav(page, "Overview").click();
    const toggle = page.getByTestId("healing-switch");
    await expect(toggle.getAttribute("aria-checked")).resolves.toBe("true");
    await toggle.click();
    // the org-wide switch asks first: nothing changed until the confirmation
    await page.getByTestId("healing-confirm").waitFor();
    expect((await lab.call("GET", "/api/healing/config")).enabled).toBe(true);
    await page.getByTestId("healing-confirm").click();
    await page.locator('[data-testid="healing-switch"][aria-checked="false"]').waitFor();
    expect((await lab.call("GET", "/api/healing/config")).enabled).toBe(false);

    process.kill(lab.pidOf(svc), "SIGKILL");
    await nav(page, "Issues").click();
    const row = page.getByTestId("issue-row").filter({ hasText: svc.name });
    await row.waitFor({ timeout: 30_000 });
    await row.getByTestId("issue-link").click();
    await page.getByTestId("issue-status").filter({ hasText: "open" }).waitFor();
    await page.getByTestId("evidence").waitFor();
    await screenshots(page, "issue-open");

    await nav(page, "Settings").click();
    await page.getByTestId("healing-switch").click();
    await page.getByTestId("healing-confirm").click();
    await page.locator('[data-testid="healing-switch"][aria-checked="true"]').waitFor();
    expect((await lab.call("GET", "/api/healing/config")).enabled).toBe(true);
    await page.goBack();
    await page.getByTestId("issue-status").filter({ hasText: "resolved" }).waitFor({ timeout: 40_000 });
    await page.getByTestId("timeline-item").filter({ hasText: "restart_service" }).waitFor();
    expect(await timeUntilHealthy(svc.url, { timeoutMs: 10_000 })).toBeLessThan(10_000);
  });

  it("approves a waiting action with the real Approve button, and the service comes back", async () => {
    const svc = lab.services[0];
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: true } });
    try {
      process.kill(lab.pidOf(svc), "SIGKILL");
      await nav(page, "Issues").click();
      const item = page.getByTestId("approval").filter({ hasText: svc.name });
      await item.waitFor({ timeout: 30_000 });
      await item
        .getByTestId("approval-expiry")
        .filter({ hasText: /expires in \d+ min/ })
        .waitFor();
      await screenshots(page, "approvals");

      const row = page.getByTestId("issue-row").filter({ hasText: svc.name });
      await row.filter({ hasText: "awaiting approval" }).getByTestId("issue-link").click();
      await page.getByTestId("issue-status").filter({ hasText: "awaiting approval" }).waitFor();
      const approve = page.getByTestId("issue-approvals").getByTestId("approve");
      await approve.waitFor();
      const [waiting] = (await lab.call("GET", "/api/v1/commands?status=awaiting_approval")).items;
      expect(waiting).toMatchObject({ action: "restart_service", target: svc.name });
      await screenshots(page, "issue-awaiting-approval");
      const approved = page.waitForResponse(
        (r) => r.url().endsWith(`/api/v1/commands/${waiting.id}/approve`) && r.status() === 200,
      );
      await approve.click();
      await approved;
      await page.getByTestId("issue-status").filter({ hasText: "resolved" }).waitFor({ timeout: 40_000 });
      expect(await timeUntilHealthy(svc.url, { timeoutMs: 10_000 })).toBeLessThan(10_000);
      const history = await lab.call("GET", "/api/healing/recovery-history?limit=5");
      expect(history.items[0]).toMatchObject({ status: "succeeded", target: svc.name });
    } finally {
      await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: false } });
    }
  });

  it("rejects a waiting action with a reason: the issue is escalated until recovered by hand", async () => {
    const svc = lab.services[0];
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: true } });
    try {
      process.kill(lab.pidOf(svc), "SIGKILL");
      await nav(page, "Issues").click();
      const item = page.getByTestId("approval").filter({ hasText: svc.name });
      await item.waitFor({ timeout: 30_000 });
      await item.getByTestId("reject-reason").fill("not during the release");
      await item.getByTestId("reject").click();
      await page.locator("#approvals").getByRole("status").filter({ hasText: "Rejected" }).waitFor();
      await item.waitFor({ state: "detached" });

      const row = page.getByTestId("issue-row").filter({ hasText: svc.name });
      await row.filter({ hasText: "escalated" }).getByTestId("issue-link").click();
      await page.getByTestId("issue-status").filter({ hasText: "escalated" }).waitFor();
      await page
        .getByTestId("timeline-item")
        .filter({ hasText: "rejected: not during the release" })
        .filter({ hasText: "refused" })
        .waitFor();
      await screenshots(page, "issue-rejected");
      const rejected = await lab.call("GET", "/api/v1/commands?status=rejected");
      expect(rejected.items[0]).toMatchObject({
        target: svc.name,
        output: "rejected: not during the release",
      });

      // Nothing runs for an escalated issue on its own: a human recovers it by hand.
      await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: false } });
      await page.getByTestId("recover").click();
      await page.getByTestId("issue-status").filter({ hasText: "resolved" }).waitFor({ timeout: 40_000 });
      expect(await timeUntilHealthy(svc.url, { timeoutMs: 10_000 })).toBeLessThan(10_000);
    } finally {
      await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: false } });
    }
  });

  it("backtests a new rule, shows the API's validation messages, creates it and edits it", async () => {
    browser.errors.expectFailedRequest(/\/api\/v1\/rules$/); // the 400 this test provokes
    await nav(page, "Rules").click();
    await page.getByTestId("rule-row").first().waitFor();
    // What the planner learned from the restarts above.
    const learned = page
      .getByTestId("learning-row")
      .filter({ hasText: "service_down" })
      .filter({ hasText: "restart_service" });
    await learned.waitFor();
    expect(Number(await learned.locator("td").nth(1).textContent())).toBeGreaterThanOrEqual(2);
    await page.getByRole("button", { name: "New rule" }).click();
    await page.getByTestId("rule-mode-json").click(); // the expert view: the rule as JSON
    const json = page.getByTestId("rule-json");
    const rule = {
      id: "browser_cpu",
      name: "Browser CPU",
      kind: "threshold",
      metric: "cpu",
      op: "above",
      threshold: 0,
      durationSeconds: 0,
      severity: "low",
      actions: [],
      enabled: true,
    };
    await json.fill(JSON.stringify(rule, null, 2));
    await page.getByTestId("rule-backtest").click();
    await page.getByTestId("backtest-summary").waitFor();
    expect(await page.getByTestId("backtest-firing").count()).toBeGreaterThan(0);
    await screenshots(page, "rules-backtest");

    await json.fill(JSON.stringify({ ...rule, threshold: 1000, severity: "urgent" }, null, 2));
    await page.getByTestId("rule-save").click();
    await page.getByTestId("rule-problems").filter({ hasText: "severity" }).waitFor();
    await expect(json.getAttribute("aria-invalid")).resolves.toBe("true");

    await json.fill("{ not json");
    await page.getByTestId("rule-problems").filter({ hasText: "Not valid JSON" }).waitFor();
    await expect(page.getByTestId("rule-save").isDisabled()).resolves.toBe(true);

    await json.fill(JSON.stringify({ ...rule, threshold: 1000 }, null, 2));
    await page.getByTestId("rule-save").click();
    await page.getByTestId("rule-message").filter({ hasText: "saved" }).waitFor();
    await page.locator('[data-testid="rule-row"][data-rule-id="browser_cpu"]').waitFor();

    await json.fill(JSON.stringify({ ...rule, threshold: 999, severity: "medium" }, null, 2));
    await page.getByTestId("rule-save").click();
    await waitFor(async () => (await lab.call("GET", "/api/v1/rules/browser_cpu")).threshold === 999, {
      what: "the edited threshold stored",
    });
    expect((await lab.call("GET", "/api/v1/rules/browser_cpu")).severity).toBe("medium");
  });

  it("runs an emergency protocol only after the host's name is typed", async () => {
    const svc = lab.services[0];
    await lab.call("POST", "/api/healing/config", { enabled: false });
    try {
      process.kill(lab.pidOf(svc), "SIGKILL");
      await waitFor(
        async () =>
          (await lab.call("GET", "/api/healing/issues?status=open")).items.some(
            (i: { target: string }) => i.target === svc.name,
          ),
        { timeoutMs: 30_000, what: "an open service_down issue" },
      );
      await nav(page, "Emergency").click();
      const card = page.getByTestId("protocol-recover-all");
      const confirm = card.getByLabel(/Type .* to confirm/);
      const run = card.getByRole("button", { name: "Run protocol" });
      await confirm.waitFor();
      await expect(run.isDisabled()).resolves.toBe(true);
      await confirm.fill(`${HOST}x`);
      await expect(run.isDisabled()).resolves.toBe(true);
      await confirm.fill(HOST);
      await expect(run.isEnabled()).resolves.toBe(true);
      await screenshots(page, "emergency");
      await run.click();
      await card.getByRole("status").filter({ hasText: "Queued recovery for 1 issue" }).waitFor();
      expect(await timeUntilHealthy(svc.url, { timeoutMs: 20_000 })).toBeLessThan(20_000);
    } finally {
      await lab.call("POST", "/api/healing/config", { enabled: true });
    }
  });

  it("reaches every page from the keyboard alone", async () => {
    await page.goto(`${lab.worker.url}/`);
    await page.getByTestId("host-row").first().waitFor();
    for (const name of ["History", "Emergency"]) {
      let focused = "";
      for (let i = 0; i < 20 && focused !== name; i++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");
      }
      expect(focused).toBe(name);
      await page.keyboard.press("Enter");
      await page
        .getByRole("heading", { level: 1 })
        .filter({ hasText: name === "History" ? "Recovery history" : "Emergency" })
        .waitFor();
    }
    expect(new URL(page.url()).pathname).toBe("/emergency");
  });
});
