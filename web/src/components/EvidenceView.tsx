import { formatAbsolute, formatDuration } from "../format";
import type { Evidence } from "../types";
import { ScrollTable } from "./ScrollTable";
import { SparkSvg } from "./Sparkline";

const fmt = (v: unknown) => (typeof v === "number" ? String(Math.round(v * 100) / 100) : String(v));

/** What fired: the condition, its numbers, and the window of samples behind it. */
export function EvidenceView({ evidence }: { evidence: Evidence | null | undefined }) {
  if (!evidence || Object.keys(evidence).length === 0) return <p class="empty">No evidence recorded.</p>;
  const e = evidence;
  const window = Array.isArray(e.window) ? e.window.filter((p) => Array.isArray(p) && p.length === 2) : [];
  const facts: [string, string][] = [];
  if (e.service) facts.push(["Service", e.service]);
  if (e.metric) facts.push(["Metric", e.metric]);
  if (e.value != null) facts.push(["Value", fmt(e.value)]);
  if (e.threshold != null) facts.push(["Threshold", `${e.op ?? "above"} ${fmt(e.threshold)}`]);
  if (e.durationSeconds) facts.push(["For at least", formatDuration(e.durationSeconds * 1000)]);
  if (typeof e.since === "number") facts.push(["Holding since", formatAbsolute(new Date(e.since))]);
  if (e.detail) facts.push(["Detail", e.detail]);
  for (const [k, v] of Object.entries(e.extra ?? {})) facts.push([k, fmt(v)]);
  const values = window.map((p) => p[1]);
  const tail = Array.isArray(e.logTail) ? e.logTail.filter((l) => typeof l === "string") : [];
  return (
    <div class="evidence" data-testid="evidence">
      {typeof e.explanation === "string" && (
        <p class="explanation" data-testid="evidence-explanation">
          {e.explanation}
        </p>
      )}
      <dl class="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {e.closed && (
        <p class="small" data-testid="evidence-closed">
          Closed by {e.closed.by}: {e.closed.reason}
        </p>
      )}
      {tail.length > 0 && (
        <figure class="snippet">
          <figcaption>
            The last {tail.length} line{tail.length === 1 ? "" : "s"} {e.service ?? "the service"} wrote
            before it stopped
          </figcaption>
          <pre class="log-tail" data-testid="log-tail">
            {tail.join("\n")}
          </pre>
        </figure>
      )}
      {values.length >= 2 && (
        <div class="evidence-window">
          <SparkSvg
            values={values}
            width={240}
            height={48}
            label={`${e.metric ?? "value"} over the ${values.length} samples that fired: ${fmt(Math.min(...values))} to ${fmt(Math.max(...values))}`}
          />
          <details>
            <summary>The {values.length} samples</summary>
            <ScrollTable label="Evidence samples">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col" class="num">
                    {e.metric ?? "Value"}
                  </th>
                </tr>
              </thead>
              <tbody>
                {window.map(([ts, v]) => (
                  <tr key={ts}>
                    <td>{formatAbsolute(new Date(ts))}</td>
                    <td class="num">{fmt(v)}</td>
                  </tr>
                ))}
              </tbody>
            </ScrollTable>
          </details>
        </div>
      )}
    </div>
  );
}
