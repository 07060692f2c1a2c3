/**
 * The set-up every browser test shares: a healing lab (the real Worker and a real agent), one
 * Chromium page on it, and a check after each test that the page logged no console error or
 * uncaught exception. Optionally signs the admin in and waits for the lab's host row.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startLab } from "../../../scripts/lib/lab.mjs";
import { type Browser, openBrowser } from "./harness";

export type Lab = Awaited<ReturnType<typeof startLab>>;
type LabOptions = NonNullable<Parameters<typeof startLab>[0]>;

export interface LabBrowser {
  lab: Lab;
  browser: Browser;
  page: Page;
}

/** A link in the main navigation (pages have other links with the same words). */
export const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

/** Signs in with `token` (signing out first if a session is open) and waits for `host`'s row. */
export async function signIn(page: Page, url: string, token: string, host: string) {
  await page.goto(url);
  const signout = page.getByTestId("signout");
  await page.locator('[data-testid="signin-token"], [data-testid="signout"]').first().waitFor();
  if (await signout.isVisible()) await signout.click();
  await page.getByTestId("signin-token").fill(token);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("host-row").filter({ hasText: host }).waitFor();
}

/**
 * Registers the suite's hooks and returns the lab, browser and page, filled in before the first
 * test runs. `signIn`: sign the admin in and wait for the host row before the first test.
 */
export function useLabBrowser(options: LabOptions, { signIn: admin = false } = {}): LabBrowser {
  const env = {} as LabBrowser;
  beforeAll(async () => {
    env.lab = await startLab(options);
    env.browser = await openBrowser();
    env.page = env.browser.page;
    env.page.setDefaultTimeout(20_000);
    if (admin) await signIn(env.page, env.lab.worker.url, env.lab.adminToken, options.hostName ?? "lab-host");
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.lab?.stop();
  });
  afterEach(() => {
    expect(env.browser.errors.take(), "console errors and uncaught exceptions").toEqual([]);
  });
  return env;
}
