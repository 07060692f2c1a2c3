// npm run bench:quiet -- [--minutes 30] [--interval 2] [--nab <dir>] [--skip-soak]
// Are the built-in AI diagnostics quiet by design? Two budgets:
//  (a) a real agent with the defaults, every 2 s, against a real local Worker for --minutes on
//      this machine as it is: 0 issues from the diagnostic rules;
//  (b) the diagnostic rules over NAB's artificialNoAnomaly series (--nab: NAB's data folder or
//      that category's folder; no default, the data is not part of this repository): at most one
//      finding per rule per file.
// Exits 1 when a budget is broken.
import { parseArgs } from "node:util";
import { findingsOf, noAnomalyFiles, raised } from "./lib/quiet-nab";
import { soak } from "./lib/quiet-soak";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    interval: { type: "string", default: "2" },
    nab: { type: "string" },
    "skip-soak": { type: "boolean", default: false },
  },
});

let broken = false;

if (values.nab) {
  const { dir, files } = noAnomalyFiles(values.nab);
  console.log(
    `(b) diagnostic rules over ${files.length} artificialNoAnomaly files (${dir}); budget ≤ 1 per rule per file`,
  );
  let worst = 0;
  for (const file of files) {
    const f = findingsOf(dir, file);
    const counts = Object.entries(f.byRule);
    const total = counts.reduce((s, [, n]) => s + n, 0);
    worst = Math.max(worst, ...counts.map(([, n]) => n));
    const per = counts.map(([id, n]) => `${id} ${n}`).join(", ");
    console.log(`  ${file} (${f.rows} rows): ${total} finding(s) — ${per}`);
    const control = findingsOf(dir, file, undefined, raised);
    const fired = Object.entries(control.byRule).filter(([, n]) => n > 0);
    console.log(
      `    control, last 2 days raised by the range: ${fired.map(([id, n]) => `${id} ${n}`).join(", ") || "nothing fired"}`,
    );
  }
  console.log(`  worst rule on one file: ${worst} ${worst <= 1 ? "(within budget)" : "(OVER BUDGET)"}`);
  if (worst > 1) broken = true;
} else {
  console.log("(b) skipped: pass --nab <NAB data dir> to run the rules over artificialNoAnomaly");
}

if (!values["skip-soak"]) {
  const minutes = Number(values.minutes);
  const interval = Number(values.interval);
  console.log(
    `(a) real agent (defaults, every ${interval} s) against a real local Worker for ${minutes} min; budget 0`,
  );
  const r = await soak(minutes, interval, (s) => console.log(s));
  console.log(`  baselines learned (samples): ${JSON.stringify(r.learned)}`);
  for (const i of r.diagnostic)
    console.log(`  ${i.rule} at ${i.detectedAt}: ${i.summary}\n    ${i.evidence.explanation ?? ""}`);
  console.log(
    `  diagnostic issues: ${r.diagnostic.length} ${r.diagnostic.length === 0 ? "(within budget)" : "(OVER BUDGET)"}`,
  );
  console.log(
    `  other issues (the seed's threshold rules, not budgeted): ${r.other.map((i) => i.rule).join(", ") || "none"}`,
  );
  if (r.diagnostic.length > 0) broken = true;
}

process.exit(broken ? 1 : 0);
