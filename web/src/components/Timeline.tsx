import { formatDuration } from "../format";
import { Link } from "../router";
import type { HistoryEntry } from "../types";
import { Badge } from "./Badge";
import { Time } from "./Time";

/** Recovery actions as a vertical timeline, newest first, each linking to the issue it served. */
export function Timeline({ entries, showHost = false }: { entries: HistoryEntry[]; showHost?: boolean }) {
  if (entries.length === 0) return <p class="empty">No recovery actions yet.</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {entries.map((h) => (
        <li key={h.id} class={`tl-item tl-${h.status}`} data-testid="timeline-item">
          <span class="tl-dot" aria-hidden="true" />
          <div>
            <strong>{h.action}</strong>
            {h.target && <span> {h.target}</span>}
            {showHost && <span class="muted"> on {h.host}</span>}{" "}
            <Badge tone={`run-${h.status}`} label={h.status} />
            {h.verified && <span class="muted small"> verified</span>}
          </div>
          <div class="muted small">
            <Time iso={h.startedAt} /> ·{" "}
            {h.trigger === "auto" ? "automatic" : h.trigger === "local" ? "by the agent" : "by hand"} ·{" "}
            {formatDuration(h.durationMs)}
            {h.exitCode != null && <> · exit {h.exitCode}</>}
            {h.issueId && (
              <>
                {" · "}
                <Link href={`/issues/${encodeURIComponent(h.issueId)}`}>issue</Link>
              </>
            )}
          </div>
          {h.output && <pre class="tl-output small">{h.output.slice(0, 400)}</pre>}
        </li>
      ))}
    </ol>
  );
}
