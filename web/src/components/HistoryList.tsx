import { formatDuration } from "../format";
import { Link } from "../router";
import type { HistoryEntry } from "../types";
import { Badge } from "./Badge";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

/** The last recovery actions, newest first. */
export function HistoryList({ entries }: { entries: HistoryEntry[] }) {
  if (entries.length === 0) return <p class="empty">No recovery actions yet.</p>;
  return (
    <ScrollTable label="Recovery history">
      <thead>
        <tr>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Host</th>
          <th scope="col">Status</th>
          <th scope="col">Trigger</th>
          <th scope="col">Started</th>
          <th scope="col" class="num">
            Duration
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((h) => (
          <tr key={h.id} data-testid="history-row" data-history-id={h.id}>
            <td>
              {h.issueId ? (
                <Link href={`/issues/${encodeURIComponent(h.issueId)}`}>{h.action}</Link>
              ) : (
                h.action
              )}
            </td>
            <td>{h.target ?? <span class="muted">—</span>}</td>
            <td>{h.host}</td>
            <td title={detail(h)}>
              <Badge tone={`run-${h.status}`} label={h.status} />
              {h.verified && <span class="muted small"> verified</span>}
            </td>
            <td>{h.trigger}</td>
            <td>
              <Time iso={h.startedAt} />
            </td>
            <td class="num">{formatDuration(h.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

function detail(h: HistoryEntry): string | undefined {
  const parts = [h.exitCode != null ? `exit code ${h.exitCode}` : null, h.output?.slice(0, 300) || null];
  const text = parts.filter(Boolean).join("\n");
  return text || undefined;
}
