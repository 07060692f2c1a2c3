/**
 * The dashboard guides the next step, in Chromium against the real Worker and a real agent: adding
 * a host, the crash's own output in its issue, a rule editor that warns about a metric no host
 * reports, only the protocols the host's agent can run, and every page usable at 390 px.
 */
import { appendFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../scripts/lib/lab.mjs";
import type { Issue } from "../../worker/schemas/issues";
import { type Browser, screenshots } from "./support/harness";
import { type Lab, nav, useLabBrowser } from "./support/lab-browser";

const HOST = "guided-host";
const CRASH = "ReferenceError: renderPage is not defined";

/** Whether the element lies wholly inside the viewport's width (nothing to scroll sideways to reach it). */
async function inView(el: Locator, width: number): Promise<boolean> {
  await el.waitFor();
  const box = await el.boundingBox();
  return box !== null && box.x >= 0 && box.x + box.width <= width && box.width > 0;
}

/** The crash's own output, as the agent puts it in a service_down issue's evidence. */
const logTailOf = (issue: Issue) => issue.evidence.logTail as string[] | undefined;

describe("a dashboard that guides the next step, in a real browser", () => {
  const env = useLabBrowser({ services: 1, interval: 2, hostName: HOST }, { signIn: true });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  beforeAll(() => {
    ({ lab, browser, page } = env);
  });

  it("adds a host from the Overview: an enroll token with the exact command and config, which enrols", async () => {
    await page.getByTestId("add-host").click();
    await page.getByTestId("add-host-create").click();
    const init = (await page.getByTestId("enroll-init").textContent()) ?? "";
    expect(init).toContain(`--server ${lab.worker.url}`);
    const token = /--token (sh_\S+)/.exec(init)?.[1];
    expect(token).toMatch(/^sh_enroll_/);
    const config = JSON.parse((await page.getByTestId("enroll-config").textContent()) ?? "{}");
    expect(config).toMatchObject({ server: lab.worker.url, token });
    await screenshots(page, "overview-add-host");

    // the token shown is a real one: an agent enrols with it
    const res = await fetch(`${lab.worker.url}/api/v1/agent/enroll`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "added-from-dashboard" }),
    });
    expect(res.status).toBe(200);
    await page.getByTestId("add-host-dialog").getByRole("button", { name: "Done" }).click();

    await nav(page, "Settings").click();
    const scopes = await page
      .getByTestId("token-scope")
      .locator("option")
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(scopes).toEqual(["read", "operator", "admin", "enroll", "metrics"]);
  });

  it("shows the crashed service's last output lines in its issue's evidence", async () => {
    const svc = lab.services[0];
    const logs = path.join(lab.dir, "agent", "logs");
    const log = path.join(logs, readdirSync(logs).find((f) => f.startsWith(svc.name)) ?? `${svc.name}.log`);
    // what the service wrote as it died, in the log the agent keeps for it
    appendFileSync(log, `${CRASH}\n    at handler (/srv/app/server.js:12:5)\n`);
    process.kill(lab.pidOf(svc), "SIGKILL");
    const issue = await waitFor(
      async () => {
        const { items } = (await lab.call("GET", "/api/healing/issues?limit=50")) as { items: Issue[] };
        return items.find((i) => i.rule === "service_down" && logTailOf(i)?.some((l) => l === CRASH));
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "a service_down issue with the crash's log tail" },
    );
    await page.goto(`${lab.worker.url}/issues/${encodeURIComponent(issue.id)}`);
    const tail = page.getByTestId("log-tail");
    await tail.waitFor();
    expect(await tail.textContent()).toContain(CRASH);
    await page.getByTestId("prediction-row").filter({ hasText: "restart_service" }).waitFor();
    await screenshots(page, "issue-log-tail");
  });

  it("picks metrics the host reports in the rule form, and the backtest warns about one it does not", async () => {
    browser.errors.expectFailedRequest(/\/api\/v1\/rules$/);
    await nav(page, "Rules").click();
    await page.getByRole("button", { name: "New rule" }).click();
    await page.getByTestId("rule-form").waitFor();
    const metrics = await page.getByTestId("rule-metric").locator("option").allTextContents();
    expect(metrics).toEqual(expect.arrayContaining(["cpu", "memory", "disk"]));
    await screenshots(page, "rules-editor-form");

    await page.getByTestId("rule-mode-json").click();
    const json = page.getByTestId("rule-json");
    const rule = JSON.parse(await json.inputValue());
    await json.fill(JSON.stringify({ ...rule, id: "cpu_percent_hot", metric: "cpu_percent" }, null, 2));
    await page.getByTestId("rule-mode-form").click();
    await page.getByTestId("rule-metric-unreported").waitFor();
    const warning = page.getByTestId("backtest-warning");
    // the host added above has reported nothing: the backtest says so
    await page.getByTestId("backtest-host").selectOption({ label: "added-from-dashboard" });
    await page.getByTestId("rule-backtest").click();
    await warning.filter({ hasText: "no stored samples" }).waitFor();
    // the lab's host has samples, none of them with cpu_percent
    await page.getByTestId("backtest-host").selectOption({ label: HOST });
    await page.getByTestId("rule-backtest").click();
    await warning.filter({ hasText: "no sample in this range has the metric cpu_percent" }).waitFor();
    expect(await warning.textContent()).toMatch(/this host reports .*\bcpu\b/);
    await screenshots(page, "rules-backtest-warning");
  });

  it("offers only the emergency protocols the host's agent can run", async () => {
    await nav(page, "Emergency").click();
    await page.getByLabel("Host").selectOption({ label: HOST });
    const missing = page.getByTestId("protocols-not-offered");
    await missing.waitFor();
    expect(await missing.textContent()).toContain("Emergency backup");
    await expect(page.getByRole("heading", { name: "Emergency backup" }).count()).resolves.toBe(0);
    await page.getByRole("heading", { name: "Restart a service" }).waitFor();
  });

  it("keeps each table's key column and actions in view at 390 px, and shoots every page at both widths", async () => {
    // an issue that stays open: self-healing off, the service killed
    await lab.call("POST", "/api/healing/config", { enabled: false });
    process.kill(lab.pidOf(lab.services[0]), "SIGKILL");
    await nav(page, "Issues").click();
    const row = page.getByTestId("issue-row").filter({ hasText: lab.services[0].name }).first();
    await row.waitFor({ timeout: 30_000 });

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await inView(row.getByTestId("issue-link"), 390)).toBe(true);
    expect(await inView(row.getByRole("button", { name: /^Recover / }), 390)).toBe(true);
    await nav(page, "Rules").click();
    const rule = page.getByTestId("rule-row").first();
    expect(await inView(rule.getByTestId("rule-edit"), 390)).toBe(true);
    expect(await inView(rule.getByRole("button", { name: /^Disable / }), 390)).toBe(true);
    await nav(page, "Overview").click();
    const host = page.getByTestId("host-row").filter({ hasText: HOST });
    expect(await inView(host.getByTestId("host-link"), 390)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });

    for (const [name, link] of [
      ["page-overview", "Overview"],
      ["page-issues", "Issues"],
      ["page-history", "History"],
      ["page-rules", "Rules"],
      ["page-settings", "Settings"],
      ["page-emergency", "Emergency"],
    ] as const) {
      await nav(page, link).click();
      await page.waitForLoadState("networkidle").catch(() => {});
      await screenshots(page, name);
    }
    await nav(page, "Issues").click();
    await page.getByTestId("issue-row").first().getByTestId("issue-link").click();
    await page.getByTestId("issue-title").waitFor();
    await screenshots(page, "page-issue");
    await nav(page, "Overview").click();
    await page.getByTestId("host-link").filter({ hasText: HOST }).click();
    await page.getByTestId("host-title").waitFor();
    await screenshots(page, "page-host");
    await lab.call("POST", "/api/healing/config", { enabled: true });
  });
});
