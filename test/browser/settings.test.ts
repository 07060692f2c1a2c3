/**
 * Settings in a real browser, against the real Worker and a real agent: the API's validation
 * messages beside a threshold field, tokens shown once and revoked, an enroll token's install
 * command, webhook and Telegram channels that really deliver, and maintenance windows.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { type Browser, screenshots } from "./support/harness";
import { type Lab, nav, useLabBrowser } from "./support/lab-browser";

const HOST = "settings-host";

describe("settings, tokens and channels in a real browser, against the real Worker and a real agent", () => {
  const env = useLabBrowser({ services: 0, interval: 2, hostName: HOST }, { signIn: true });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  beforeAll(() => {
    ({ lab, browser, page } = env);
  });

  it("shows the API's validation message beside a threshold field and saves a valid change", async () => {
    browser.errors.expectFailedRequest(/\/api\/healing\/config$/); // the 400 this test provokes
    const onlyCritical = { severities: ["critical"] };
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: onlyCritical } });
    await nav(page, "Settings").click();
    await page.getByRole("checkbox", { name: "critical" }).and(page.locator(":checked")).waitFor();
    const warning = page.locator("#cfg-monitoring-alert_thresholds-cpu_warning");
    await warning.fill("95");
    await page.getByTestId("config-save").click();
    await page
      .locator("#cfg-monitoring-alert_thresholds-cpu_warning-err")
      .filter({ hasText: "cpu_critical" })
      .waitFor();
    await expect(warning.getAttribute("aria-invalid")).resolves.toBe("true");
    await screenshots(page, "settings-invalid");

    await warning.fill("75");
    await page.getByTestId("config-save").click();
    await page.getByTestId("config-message").filter({ hasText: "saved" }).waitFor();
    const doc = await lab.call("GET", "/api/healing/config");
    expect(doc.monitoring.alert_thresholds.cpu_warning).toBe(75);
    expect(doc.recovery.require_confirmation).toEqual(onlyCritical); // untouched fields are not written back
    await lab.call("POST", "/api/healing/config", { recovery: { require_confirmation: false } });
  });

  it("creates a token, shows it once, and revokes it", async () => {
    await page.getByTestId("token-name").fill("ci-reader");
    await page.getByTestId("token-create").click();
    const secret = (await page.getByTestId("token-secret").textContent()) ?? "";
    expect(secret.length).toBeGreaterThan(20);
    const res = await fetch(`${lab.worker.url}/api/healing/status`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(200);

    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Revoke ci-reader" }).click();
    await page
      .getByTestId("token-row")
      .filter({ hasText: "ci-reader" })
      .filter({ hasText: "revoked" })
      .waitFor();
    const after = await fetch(`${lab.worker.url}/api/healing/status`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(after.status).toBe(401);
  });

  it("shows a new enroll token's exact install command and config, naming this server", async () => {
    await page.getByTestId("token-name").fill("rack-7");
    await page.getByTestId("token-scope").selectOption("enroll");
    await page.getByTestId("token-create").click();
    await page.getByTestId("enroll-howto").waitFor();
    const secret = (await page.getByTestId("token-secret").textContent()) ?? "";
    expect(secret).toMatch(/^sh_enroll_/);
    const init = (await page.getByTestId("enroll-init").textContent()) ?? "";
    expect(init).toBe(
      `sudo selfheal-agent init --server ${lab.worker.url} --token ${secret} --config /etc/selfheal-agent/config.json`,
    );
    expect(await page.getByTestId("enroll-env").textContent()).toBe(
      `SELFHEAL_SERVER=${lab.worker.url} SELFHEAL_TOKEN=${secret} selfheal-agent run`,
    );
    const config = JSON.parse((await page.getByTestId("enroll-config").textContent()) ?? "");
    expect(config).toEqual({ server: lab.worker.url, token: secret, actions: { health_check: true } });
    await screenshots(page, "tokens-enroll-howto");
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByTestId("enroll-howto").waitFor({ state: "detached" });
  });

  it("adds a signed webhook channel and delivers a test message to it", async () => {
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      const form = page.getByRole("form", { name: "Add a channel" });
      await form.getByLabel("Kind").selectOption("webhook");
      await form.getByLabel("Name", { exact: true }).fill("browser hook");
      await form.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${port}/hook`);
      await form.getByLabel("Signing secret (16+ characters)").fill("a-very-secret-signing-key");
      await form.getByRole("button", { name: "Add channel" }).click();
      const row = page.getByTestId("channel-row").filter({ hasText: "browser hook" });
      await row.waitFor();
      await row.getByRole("button", { name: "Send test" }).click();
      await page.getByRole("status").filter({ hasText: "Test to browser hook: delivered" }).waitFor();
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0].body)).toBeTruthy();

      page.once("dialog", (d) => void d.accept());
      await row.getByRole("button", { name: "Remove browser hook" }).click();
      await row.waitFor({ state: "detached" });
    } finally {
      server.close();
    }
  });

  it("adds a Telegram channel with its own form, shows the API's field error, and sends it a test", async () => {
    browser.errors.expectFailedRequest(/\/api\/v1\/channels$/); // the 400 this test provokes
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? "");
      req
        .resume()
        .on("end", () =>
          res
            .writeHead(200, { "content-type": "application/json" })
            .end('{"ok":true,"result":{"message_id":1}}'),
        );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    try {
      const form = page.getByRole("form", { name: "Add a channel" });
      await form.getByLabel("Kind").selectOption("telegram");
      await form.getByLabel("Name", { exact: true }).fill("browser telegram");
      await form.getByLabel("Bot token").fill(token);
      await form.getByLabel("Chat id").fill("not a chat");
      await form.getByLabel("API base override (optional)").fill(`http://127.0.0.1:${port}`);
      await form.getByLabel("Remind every (minutes, optional)").fill("30");
      await form.getByRole("button", { name: "Add channel" }).click();
      // The API's answer arrives after the click: wait for the field to be marked, then check it.
      await form.getByLabel("Chat id").and(form.locator('[aria-invalid="true"]')).waitFor();
      await expect(form.getByLabel("Chat id").getAttribute("aria-invalid")).resolves.toBe("true");
      await form.getByLabel("Chat id").fill("-1001234567890");
      await form.getByRole("button", { name: "Add channel" }).click();
      const row = page.getByTestId("channel-row").filter({ hasText: "browser telegram" });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain("reminds every 30 min");
      await expect(row.textContent()).resolves.not.toContain(token.split(":")[1]);
      await row.getByRole("button", { name: "Send test" }).click();
      await page.getByRole("status").filter({ hasText: "Test to browser telegram: delivered" }).waitFor();
      expect(paths).toEqual([`/bot${token}/sendMessage`]);
      await screenshots(page, "channels-telegram");

      page.once("dialog", (d) => void d.accept());
      await row.getByRole("button", { name: "Remove browser telegram" }).click();
      await row.waitFor({ state: "detached" });
    } finally {
      server.close();
    }
  });

  it("creates a maintenance window in Settings, with the API's validation messages, and deletes it", async () => {
    browser.errors.expectFailedRequest(/\/api\/v1\/maintenance$/); // the 400 this test provokes
    await nav(page, "Settings").click();
    const form = page.getByRole("form", { name: "Add a maintenance window" });
    await form.waitFor();
    await form.getByTestId("mw-create").click();
    // Neither an end nor a reason: the API's messages land beside those fields.
    await form.getByLabel("Reason").locator("xpath=..").getByRole("alert").waitFor();
    await expect(form.getByLabel("Reason").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(form.getByLabel("Ends", { exact: true }).getAttribute("aria-invalid")).resolves.toBe("true");

    const end = new Date(Date.now() + 2 * 3600_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    const local = `${end.getFullYear()}-${pad(end.getMonth() + 1)}-${pad(end.getDate())}T${pad(end.getHours())}:${pad(end.getMinutes())}`;
    await form.getByTestId("mw-host").selectOption({ label: HOST });
    await form.getByLabel("Ends", { exact: true }).fill(local);
    await form.getByLabel("Reason").fill("kernel upgrade");
    await form.getByTestId("mw-create").click();
    await page.getByTestId("mw-message").filter({ hasText: "Maintenance window added" }).waitFor();
    const row = page.getByTestId("mw-row").filter({ hasText: "kernel upgrade" });
    await row
      .filter({ hasText: `host ${HOST}` })
      .filter({ hasText: "in force" })
      .waitFor();
    const [stored] = (await lab.call("GET", "/api/v1/maintenance")).items;
    expect(stored).toMatchObject({ reason: "kernel upgrade", group: null, rule: null });
    expect(Math.abs(new Date(stored.endsAt).getTime() - end.getTime())).toBeLessThan(60_000);
    await row.scrollIntoViewIfNeeded();
    await screenshots(page, "settings-maintenance");

    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: "Delete the window “kernel upgrade”" }).click();
    await row.waitFor({ state: "detached" });
    expect((await lab.call("GET", "/api/v1/maintenance")).items).toEqual([]);
  });
});
