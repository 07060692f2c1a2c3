// npm run bench:dashboard [-- --runs N]
// How soon a signed-in person sees their fleet: the dashboard loaded N times in Debian's Chromium
// against the real Worker (wrangler dev, local D1) and a real agent, timing from navigation start
// to the first host row in the DOM. Loads alternate between a warm browser cache (a returning
// visitor) and a cleared one (a first visit). The page's own first contentful paint and its API
// answers are the references taken in the same loads: the host row's lead over them is the
// dashboard's own cost. Run `npm run build` first (web/dist is what the Worker serves).
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startLab } from "../scripts/lib/lab.mjs";
import { openBrowser } from "../test/browser/support/harness";
import { stopChildrenOnExit } from "./lib/exit";
import { median, pct } from "./lib/load";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
const runs = Number(values.runs);
const HOST = "bench-dashboard";

// In-page scripts are strings: the repo's type-check has no DOM library (it also checks the Worker).
/** Notes when the first host row enters the DOM, in ms since navigation start. */
const MARK_FIRST_HOST_ROW = `new MutationObserver((_, obs) => {
  if (document.querySelector('[data-testid="host-row"]')) { window.__hostRowAt = performance.now(); obs.disconnect(); }
}).observe(document, { childList: true, subtree: true });`;
/** This load's marks: first contentful paint, the last /api/ answer in before the first host row, that row. */
const READ_MARKS = `({
  fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
  api: Math.max(0, ...performance.getEntriesByType("resource")
    .filter((e) => new URL(e.name).pathname.startsWith("/api/") && e.responseEnd <= window.__hostRowAt)
    .map((e) => e.responseEnd)),
  hostRow: window.__hostRowAt,
})`;
type Marks = { fcp: number; api: number; hostRow: number };

stopChildrenOnExit();
console.log(`bench:dashboard: ${runs} loads of the signed-in dashboard (real Worker + real agent, Chromium)`);
const lab = await startLab({ services: 1, interval: 2, hostName: HOST });
const browser = await openBrowser();
try {
  const { page } = browser;
  page.setDefaultTimeout(20_000);
  await page.goto(lab.worker.url);
  await page.getByTestId("signin-token").fill(lab.adminToken);
  await page.getByTestId("signin-submit").click();
  const row = page.getByTestId("host-row").filter({ hasText: HOST });
  await row.waitFor();
  await page.addInitScript({ content: MARK_FIRST_HOST_ROW });
  const cdp = await browser.context.newCDPSession(page);

  const loads: Record<"warm" | "cold", Marks[]> = { warm: [], cold: [] };
  // One load of each kind first, not counted: workerd compiles the Worker, Chromium its caches.
  for (let i = -2; i < runs; i++) {
    const kind = i % 2 === 0 ? "cold" : "warm";
    if (kind === "cold") await cdp.send("Network.clearBrowserCache");
    await page.goto(lab.worker.url);
    await row.waitFor();
    const marks = await page.evaluate<Marks>(READ_MARKS);
    if (i >= 0) loads[kind].push(marks);
  }

  const ms = (xs: number[]) =>
    `median ${median(xs).toFixed(0).padStart(4)} ms  p90 ${pct(xs, 90).toFixed(0).padStart(4)} ms`;
  for (const [kind, marks] of Object.entries(loads)) {
    const hostRow = marks.map((m) => m.hostRow);
    console.log(
      `${kind === "warm" ? "cache warm (returning visitor)" : "cache cleared (first visit)"}, n=${marks.length}`,
    );
    console.log(`  first host row:             ${ms(hostRow)}`);
    console.log(`  first contentful paint:     ${ms(marks.map((m) => m.fcp))}`);
    console.log(`  last API answer before it:  ${ms(marks.map((m) => m.api))}`);
    console.log(`  host row after that answer: ${ms(marks.map((m) => m.hostRow - m.api))}`);
  }
  const [one, five] = loadavg();
  console.log(`machine load average: ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min)`);
} finally {
  await browser.close();
  await lab.stop();
}
