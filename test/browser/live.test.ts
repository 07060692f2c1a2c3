/**
 * The dashboard is live by events: against the real Worker and a real agent, a service killed on
 * the host opens an issue that an open Issues page shows within a second of the edge opening it,
 * and the row leaves within a second of the edge resolving it. The page's own poll of that list
 * runs once a minute while its events channel is open, so only the pushed event can make it.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { timeUntilHealthy, waitFor } from "../../scripts/lib/lab.mjs";
import { screenshots } from "./support/harness";
import { type Lab, nav, useLabBrowser } from "./support/lab-browser";

const HOST = "live-host";

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
  const env = useLabBrowser(
    { services: 1, interval: 2, hostName: HOST, actions: { emergency_shutdown: true } },
    { signIn: true },
  );
  let lab: Lab;
  let page: Page;
  beforeAll(() => {
    ({ lab, page } = env);
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
  it("says what holds a crash-looping service, when the hold ends, and lets an admin reset it", async () => {
    const svc = lab.services[0];
    type Item = { id: string; status: string; target: string };
    const escalated = async () =>
      ((await lab.call("GET", "/api/healing/issues?status=escalated")).items as Item[]).find(
        (i) => i.target === svc.name,
      );
    // kill it each time the engine brings it back, until the crash-loop hold stops the restarts
    for (let i = 0; i < 8 && !(await escalated()); i++) {
      await timeUntilHealthy(svc.url, { timeoutMs: 30_000 });
      await waitFor(
        async () => (await lab.call("GET", "/api/healing/issues?status=active")).items.length === 0,
        {
          timeoutMs: 30_000,
          what: "the last kill healed",
        },
      );
      process.kill(lab.pidOf(svc), "SIGKILL");
      await waitFor(
        async () => (await lab.call("GET", "/api/healing/issues?status=active")).items.length > 0,
        {
          timeoutMs: 30_000,
          what: "the kill seen",
        },
      );
    }
    await waitFor(async () => Boolean(await escalated()), { timeoutMs: 30_000, what: "the crash-loop hold" });
    const issue = (await escalated()) as Item;
    await page.goto(`${lab.worker.url}/issues/${issue.id}`);
    const hold = page.getByTestId("guardrail-hold-text");
    await hold.waitFor();
    expect(await hold.textContent()).toMatch(
      /^crash loop: \d+ restarts in 10 min, the first at \d{4}-\d\d-\d\d \d\d:\d\d UTC; it ends at \d{4}-\d\d-\d\d \d\d:\d\d UTC, or when an admin resets it\.$/,
    );
    await screenshots(page, "guardrail-hold");
    await page.getByTestId("guardrail-reset").click();
    await page.getByTestId("guardrail-hold").waitFor({ state: "detached" });
    // the engine tries again at once, and the page follows it to the end without a reload
    await page.getByTestId("issue-status").filter({ hasText: "resolved" }).waitFor({ timeout: 40_000 });
    const log = await lab.call("GET", `/api/v1/audit?target=${issue.id}`);
    expect(log.items.map((e: { action: string }) => e.action)).toContain("guardrail.reset");
  });

  it("defines every KPI in a tooltip, names the environment admin, and asks before the org-wide switch", async () => {
    await page.goto(lab.worker.url);
    await page.getByTestId("kpi-auto-recovery").waitFor();
    for (const id of ["availability", "mttr", "autoRecovery", "resolved"]) {
      const title = await page.getByTestId(`kpi-term-${id}`).getAttribute("title");
      expect(title?.length ?? 0, id).toBeGreaterThan(40);
    }
    expect(await page.getByTestId("kpi-term-autoRecovery").getAttribute("title")).toMatch(
      /automatic attempts.*Manual recoveries, emergency protocols and refused actions are left out/,
    );
    expect(await page.getByTestId("kpi-auto-recovery").textContent()).toMatch(/issues healed automatically/);
    expect(await page.locator(".who").textContent()).toContain("Administrator");
    expect(await page.locator(".who").textContent()).not.toContain("SELFHEAL_ADMIN_TOKEN");

    await page.getByTestId("healing-switch").click();
    await page.getByTestId("healing-confirm").waitFor();
    expect((await lab.call("GET", "/api/healing/config")).enabled).toBe(true);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByTestId("healing-confirm").waitFor({ state: "detached" });
    expect((await lab.call("GET", "/api/healing/config")).enabled).toBe(true);
    await expect(page.getByTestId("healing-switch").getAttribute("aria-checked")).resolves.toBe("true");
  });

  it("shows a shutdown awaiting approval as its own state, then its stopped services counted apart", async () => {
    await page.goto(lab.worker.url);
    await page.getByTestId("host-row").filter({ hasText: HOST }).waitFor();
    const host = (await lab.call("GET", "/api/v1/hosts")).items.find(
      (h: { name: string }) => h.name === HOST,
    );
    const queued = await lab.call("POST", `/api/v1/hosts/${host.id}/actions`, {
      action: "emergency_shutdown",
      reason: "power work in the rack",
    });
    expect(queued.commandStatus).toBe("awaiting_approval");
    await page.getByTestId("state-awaiting").filter({ hasText: "1 awaiting approval" }).waitFor();
    const overall = page.getByTestId("overall-status");
    expect(await overall.textContent()).not.toMatch(/critical/i);
    await screenshots(page, "overview-awaiting-approval");

    // a second admin approves (the one who asked cannot), the agent stops every service
    const second = (await lab.call("POST", "/api/v1/tokens", { scope: "admin", name: "second admin" })).token;
    const approved = await fetch(`${lab.worker.url}/api/v1/commands/${queued.commandId}/approve`, {
      method: "POST",
      headers: { authorization: `Bearer ${second}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(approved.status, await approved.text()).toBe(200);
    await page.getByTestId("state-stopped").filter({ hasText: "1 service stopped on purpose" }).waitFor({
      timeout: 30_000,
    });
    await page.getByTestId("kpi-stopped").filter({ hasText: "1 stopped on purpose" }).waitFor();
    expect(await page.getByTestId("kpi-availability").textContent()).not.toContain("0 of 0");
    await page.getByTestId("state-awaiting").waitFor({ state: "detached" });
    await screenshots(page, "overview-stopped");
  });
});
