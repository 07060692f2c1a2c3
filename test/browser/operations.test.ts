/**
 * Operator actions in a real browser against the real Worker and a real agent: an operator
 * signs in, acknowledges an issue, runs an emergency backup that the agent really performs, and
 * an admin edits the approval policy's object form with the API's validation messages.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../scripts/lib/lab.mjs";
import { type Browser, screenshots } from "./support/harness";
import { type Lab, nav, signIn, useLabBrowser } from "./support/lab-browser";

const HOST = "ops-host";

describe("operators, acknowledgements, emergency protocols and the approval policy in a real browser", () => {
  const data = mkdtempSync(path.join(tmpdir(), "selfheal-backup-src-"));
  writeFileSync(path.join(data, "orders.csv"), "id,total\n1,42\n");
  const env = useLabBrowser({
    services: 1,
    interval: 2,
    hostName: HOST,
    actions: { emergency_backup: true, emergency_shutdown: true },
    agentConfig: { backup: { paths: [data], keep: 2 } },
  });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  let operator: string;

  beforeAll(async () => {
    ({ lab, browser, page } = env);
    operator = (await lab.call("POST", "/api/v1/tokens", { scope: "operator", name: "on call" })).token;
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it("signs an operator in: admin-only settings are disabled, tokens hidden", async () => {
    await signIn(page, lab.worker.url, operator, HOST);
    await page.locator(".who .badge").filter({ hasText: "operator" }).waitFor();
    await nav(page, "Settings").click();
    await page.getByTestId("settings-readonly").waitFor();
    await page.getByTestId("rc-form").waitFor();
    await expect(page.getByTestId("config-save").isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId("rc-save").isDisabled()).resolves.toBe(true);
    await expect(page.getByRole("radio", { name: "Always" }).isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId("healing-switch").isDisabled()).resolves.toBe(true);
    expect(await page.locator("#tokens-title").count()).toBe(0);
    await screenshots(page, "settings-operator");
  });

  it("acknowledges an open issue from its page, without a reload", async () => {
    const svc = lab.services[0];
    await lab.call("POST", "/api/healing/config", { enabled: false });
    try {
      process.kill(lab.pidOf(svc), "SIGKILL");
      await nav(page, "Issues").click();
      const row = page.getByTestId("issue-row").filter({ hasText: svc.name });
      await row.waitFor({ timeout: 30_000 });
      await row.getByTestId("issue-link").click();
      await page.getByTestId("issue-acknowledged").filter({ hasText: "not yet" }).waitFor();
      await page.evaluate("window.__sameDocument = true");
      const answered = page.waitForResponse((r) => r.url().endsWith("/acknowledge") && r.status() === 200);
      await page.getByTestId("acknowledge").click();
      await answered;
      await page.getByTestId("issue-acknowledged").filter({ hasText: "by on call" }).waitFor();
      await page.getByTestId("acknowledge").waitFor({ state: "detached" });
      expect(await page.evaluate("window.__sameDocument === true")).toBe(true);
      await screenshots(page, "issue-acknowledged");
      const [issue] = (await lab.call("GET", "/api/healing/issues?status=open")).items;
      expect(issue).toMatchObject({ target: svc.name, acknowledgedBy: "on call" });
      // The operator recovers it by hand too.
      await lab.call("POST", "/api/healing/config", { enabled: true });
      await page.getByTestId("recover").click();
      await page.getByTestId("issue-status").filter({ hasText: "resolved" }).waitFor({ timeout: 40_000 });
    } finally {
      await lab.call("POST", "/api/healing/config", { enabled: true });
    }
  });

  it("runs an emergency backup by keyboard; the real agent writes it and the run resolves", async () => {
    await nav(page, "Emergency").click();
    const card = page.getByTestId("protocol-backup");
    const reason = card.getByLabel("Reason");
    const run = card.getByRole("button", { name: "Run protocol" });
    await reason.waitFor();
    await reason.focus();
    await page.keyboard.type("before the schema migration");
    await page.keyboard.press("Tab");
    await page.keyboard.type(`${HOST}x`);
    await expect(run.isDisabled()).resolves.toBe(true);
    await page.keyboard.press("Backspace");
    await expect(run.isEnabled()).resolves.toBe(true);
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string>("document.activeElement?.textContent ?? ''")).toBe("Run protocol");
    await page.keyboard.press("Enter");
    await card.getByRole("status").filter({ hasText: "emergency_backup queued on" }).waitFor();

    const runs = page.getByTestId("protocol-run").filter({ hasText: "emergency_backup" });
    await runs.filter({ hasText: "resolved" }).waitFor({ timeout: 40_000 });
    await screenshots(page, "emergency-backup");
    const backups = path.join(lab.dir, "agent", "backups");
    expect(existsSync(backups) && readdirSync(backups).some((f) => f.endsWith(".tar.gz"))).toBe(true);

    await card.getByRole("link", { name: "Follow it" }).click();
    await page.getByTestId("issue-status").filter({ hasText: "resolved" }).waitFor();
    await page
      .getByTestId("timeline-item")
      .filter({ hasText: "emergency_backup" })
      .filter({ hasText: "succeeded" })
      .waitFor();
    const [entry] = (await lab.call("GET", "/api/healing/recovery-history?limit=1")).items;
    expect(entry).toMatchObject({ action: "emergency_backup", status: "succeeded", trigger: "manual" });
  });

  it("holds an emergency shutdown for approval, and shows the run escalated once rejected", async () => {
    await nav(page, "Emergency").click();
    const card = page.getByTestId("protocol-shutdown");
    await card.getByLabel("Reason").fill("disk controller failing");
    await card.getByLabel(/Type .* to confirm/).fill(HOST);
    await card.getByRole("button", { name: "Run protocol" }).click();
    await card.getByRole("status").filter({ hasText: "waiting for approval" }).waitFor();
    const run = page.getByTestId("protocol-run").filter({ hasText: "emergency_shutdown" });
    await run.filter({ hasText: "awaiting approval" }).waitFor();
    const [waiting] = (await lab.call("GET", "/api/v1/commands?status=awaiting_approval")).items;
    expect(waiting).toMatchObject({ action: "emergency_shutdown", host: HOST, approval: "second" });
    // the operator who asked cannot give the second approval: the page says so and offers no button
    await nav(page, "Issues").click();
    const item = page.getByTestId("approval").filter({ hasText: "emergency_shutdown" });
    await item.getByTestId("second-approval").filter({ hasText: "you asked for it" }).waitFor();
    expect(await item.getByTestId("approve").isDisabled()).toBe(true);
    await screenshots(page, "emergency-shutdown-second-person");
    await nav(page, "Emergency").click();
    await lab.call("POST", `/api/v1/commands/${waiting.id}/reject`, { reason: "not this one" });
    await run.filter({ hasText: "escalated" }).waitFor();
    await screenshots(page, "emergency-shutdown-escalated");
  });

  it("edits the approval policy's object form as an admin, with the API's validation messages", async () => {
    browser.errors.expectFailedRequest(/\/api\/healing\/config$/); // the 400 this test provokes
    await signIn(page, lab.worker.url, lab.adminToken, HOST);
    await nav(page, "Settings").click();
    const form = page.getByTestId("rc-form");
    await form.getByRole("radio", { name: "Only for…" }).check();
    await form.getByRole("checkbox", { name: "critical" }).check();
    await form.getByRole("checkbox", { name: "lockdown" }).check();
    await form.getByLabel("Rules").fill(`service_down, ${"r".repeat(70)}`);
    await page.getByTestId("rc-save").click();
    await page.locator("#rc-rules-err").filter({ hasText: "64" }).waitFor();
    await expect(form.getByLabel("Rules").getAttribute("aria-invalid")).resolves.toBe("true");
    await screenshots(page, "settings-approval-invalid");

    await form.getByLabel("Rules").fill("service_down");
    await page.getByTestId("rc-save").click();
    await page.getByTestId("rc-message").filter({ hasText: "saved" }).waitFor();
    await waitFor(
      async () =>
        JSON.stringify((await lab.call("GET", "/api/healing/config")).recovery.require_confirmation) ===
        JSON.stringify({ severities: ["critical"], actions: ["lockdown"], rules: ["service_down"] }),
      { what: "the approval policy stored" },
    );
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: false } });
    await page.getByRole("radio", { name: "Never" }).and(page.locator(":checked")).waitFor();
  });

  it("shows which level set a host's thresholds and rules: host, group or organisation", async () => {
    await signIn(page, lab.worker.url, lab.adminToken, HOST);
    const host = (await lab.call("GET", "/api/v1/hosts")).items.find(
      (h: { name: string }) => h.name === HOST,
    );
    await lab.call("PUT", `/api/v1/scopes/host/${host.id}`, {
      thresholds: { cpu_critical: 80 },
      rules: { service_down: { severity: "critical" } },
    });
    await page.goto(`${lab.worker.url}/hosts/${host.id}`);
    const panel = page.locator("#host-scope");
    const cpu = panel.locator('[data-threshold="cpu_critical"]');
    await cpu.filter({ hasText: "80 %" }).getByTestId("set-by").filter({ hasText: "this host" }).waitFor();
    await panel
      .locator('[data-threshold="disk_critical"]')
      .getByTestId("set-by")
      .filter({ hasText: "default" })
      .waitFor();
    await panel.getByTestId("scoped-rule").filter({ hasText: "severity" }).waitFor();
    await screenshots(page, "host-scope");
    await nav(page, "Rules").click();
    await page
      .locator('[data-rule-id="service_down"]')
      .getByTestId("rule-scoped")
      .filter({ hasText: "host" })
      .waitFor();
    await nav(page, "Settings").click();
    await page.getByTestId("scope-row").filter({ hasText: "cpu_critical 80" }).waitFor();
    await lab.call("DELETE", `/api/v1/scopes/host/${host.id}`);
  });
});
