import type { HostThresholds } from "../types";
import { ScrollTable } from "./ScrollTable";

const KEYS = [
  "cpu_warning",
  "cpu_critical",
  "memory_warning",
  "memory_critical",
  "disk_warning",
  "disk_critical",
] as const;

const humanize = (k: string) => k.replace("_", " ");

/** The host's suggested thresholds (from its learned baseline) next to the org's, and what is in force. */
export function AdaptiveThresholds({ view }: { view: HostThresholds }) {
  const basis = Object.entries(view.basis).filter(([, b]) => b);
  return (
    <>
      <p class="muted small">
        Suggested: this host's p99 of normal plus headroom.{" "}
        {view.mode === "auto"
          ? "Auto mode is on: the suggestions apply within the organisation's bounds."
          : "Suggestions only: set monitoring.adaptive_thresholds.mode to auto to apply them within bounds."}
      </p>
      <ScrollTable label="Suggested thresholds">
        <thead>
          <tr>
            <th scope="col">Threshold</th>
            <th scope="col">Organisation</th>
            <th scope="col">Suggested</th>
            <th scope="col">Bounds</th>
            <th scope="col">In force</th>
          </tr>
        </thead>
        <tbody>
          {KEYS.map((k) => (
            <tr key={k} data-testid="suggested-row" data-threshold={k}>
              <th scope="row">{humanize(k)}</th>
              <td>{view.org[k]} %</td>
              <td>
                {view.suggested[k] === undefined ? (
                  <span class="muted">learning…</span>
                ) : (
                  `${view.suggested[k]} %`
                )}
              </td>
              <td class="muted">{view.bounds[k] ? `${view.bounds[k].min}–${view.bounds[k].max} %` : "—"}</td>
              <td>{view.applied[k]} %</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      <p class="muted small">
        {basis.length
          ? basis
              .map(([m, b]) => `${m}: p50 ${b?.p50} %, p99 ${b?.p99} % over ${b?.samples} samples`)
              .join(" · ")
          : "No baseline learned yet (needs the built-in diagnostics on and a few hours of reports)."}
      </p>
    </>
  );
}
