/**
 * Debian's chromium driven by playwright-core (never a downloaded browser), a fresh profile per
 * run, screenshots at the two widths the dashboard is made for, and a record of every console
 * error and uncaught exception so a test can fail on them.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = path.join(import.meta.dirname, "..", "..", "..", "test-results", "screenshots");
export const WIDTHS = [
  { name: "1280", width: 1280, height: 900 },
  { name: "390", width: 390, height: 844 },
];

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen since the last take(). */
  errors: ErrorLog;
  close(): Promise<void>;
}

export class ErrorLog {
  private seen: string[] = [];
  private expected: RegExp[] = [];

  watch(page: Page) {
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const where = msg.location().url ?? "";
      if (this.expected.some((re) => re.test(where))) return;
      this.seen.push(`console.error: ${msg.text()}${where ? ` (${where})` : ""}`);
    });
    page.on("pageerror", (err) => this.seen.push(`pageerror: ${err.message}`));
  }

  /** A failed request the test means to make (e.g. probing an API that may not exist). */
  expectFailedRequest(url: RegExp) {
    this.expected.push(url);
  }

  take(): string[] {
    const out = this.seen;
    this.seen = [];
    this.expected = [];
    return out;
  }
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), "selfheal-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    colorScheme: "light",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = new ErrorLog();
  errors.watch(page);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves `<name>-1280.png` and `<name>-390.png` (full page), then restores the wide viewport. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w.width, height: w.height });
    await page.waitForTimeout(150); // let charts follow their ResizeObserver
    const file = path.join(SCREENSHOTS, `${name}-${w.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
  return files;
}
