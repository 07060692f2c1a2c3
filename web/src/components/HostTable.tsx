import { formatScore } from "../format";
import { Link } from "../router";
import type { AlertThresholds, HostSummary } from "../types";
import { Badge } from "./Badge";
import { Meter } from "./Meter";
import { ScrollTable } from "./ScrollTable";
import { Sparkline } from "./Sparkline";
import { Time } from "./Time";

export type Thresholds = AlertThresholds;

/** Sparklines cost one request per host per refresh: draw them for the first few hosts only. */
const SPARKLINE_HOSTS = 25;

interface Props {
  hosts: HostSummary[];
  thresholds: Thresholds;
  /** How often the sparklines refresh. */
  sparkMs: number;
}

export function HostTable({ hosts, thresholds, sparkMs }: Props) {
  if (hosts.length === 0) {
    return (
      <div class="empty">
        <p>
          No hosts yet. Create an <strong>enroll</strong> token in Settings → Tokens: it shows the commands
          that install the agent on a host and start it with that token.
        </p>
      </div>
    );
  }
  return (
    <ScrollTable label="Hosts">
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">State</th>
          <th scope="col" class="num">
            Score
          </th>
          <th scope="col">CPU</th>
          <th scope="col">Memory</th>
          <th scope="col">Disk</th>
          <th scope="col">CPU trend</th>
          <th scope="col">Services</th>
          <th scope="col" class="num">
            Open issues
          </th>
        </tr>
      </thead>
      <tbody>
        {hosts.map((h, i) => (
          <HostRow key={h.id} host={h} t={thresholds} sparkMs={i < SPARKLINE_HOSTS ? sparkMs : 0} />
        ))}
      </tbody>
    </ScrollTable>
  );
}

function HostRow({ host: h, t, sparkMs }: { host: HostSummary; t: Thresholds; sparkMs: number }) {
  const m = h.metrics ?? {};
  const up = h.services.filter((s) => s.status === "up" && !s.stopped).length;
  const down = h.services.filter((s) => s.status === "down" && !s.stopped);
  const stopped = h.services.filter((s) => s.stopped).length;
  const sub = [h.hostname && h.hostname !== h.name ? h.hostname : null, h.os, h.group]
    .filter(Boolean)
    .join(" · ");
  return (
    <tr data-testid="host-row" data-host-id={h.id}>
      <th scope="row">
        <Link class="host-name" href={`/hosts/${encodeURIComponent(h.id)}`} data-testid="host-link">
          {h.name}
        </Link>
        {sub && <span class="muted small block">{sub}</span>}
      </th>
      <td>
        <span class={`dot ${h.online ? "tone-healthy" : "tone-offline"}`} aria-hidden="true" />
        {h.online ? "online" : "offline"}
        {h.status && h.online && h.status !== "healthy" && (
          <>
            {" "}
            <Badge tone={h.status} />
          </>
        )}
        <span class="muted small block">
          seen <Time iso={h.lastSeenAt} />
        </span>
      </td>
      <td class="num">{formatScore(h.healthScore)}</td>
      <td>
        <Meter label="CPU" value={m.cpu} warning={t.cpu_warning} critical={t.cpu_critical} />
      </td>
      <td>
        <Meter label="Memory" value={m.memory} warning={t.memory_warning} critical={t.memory_critical} />
      </td>
      <td>
        <Meter label="Disk" value={m.disk} warning={t.disk_warning} critical={t.disk_critical} />
      </td>
      <td class="trend">
        {sparkMs > 0 ? <Sparkline hostId={h.id} everyMs={sparkMs} /> : <span class="muted">—</span>}
      </td>
      <td>
        {h.services.length === 0 ? (
          <span class="muted">—</span>
        ) : (
          <span title={h.services.map((s) => `${s.name}: ${s.stopped ? "stopped" : s.status}`).join("\n")}>
            <span class="ok-text">{up} up</span>
            {stopped > 0 && (
              <span class="muted" data-testid="host-stopped">
                {" · "}
                {stopped} stopped
              </span>
            )}
            {down.length > 0 && (
              <>
                {" · "}
                <span class="bad-text">{down.length} down</span>
                <span class="muted small block">{down.map((s) => s.name).join(", ")}</span>
              </>
            )}
          </span>
        )}
      </td>
      <td class="num">{h.openIssues > 0 ? <strong class="bad-text">{h.openIssues}</strong> : "0"}</td>
    </tr>
  );
}
