import { useCallback } from "preact/hooks";
import { getIncidents } from "../api";
import { Badge } from "../components/Badge";
import { Options } from "../components/Options";
import { Panel } from "../components/Panel";
import { ScrollTable } from "../components/ScrollTable";
import { Time } from "../components/Time";
import { useLive } from "../live";
import { Link, navigate } from "../router";
import type { FleetIncident } from "../types";
import { ISSUE_DATA, usePoll } from "../usePoll";

const STATUSES = [
  ["", "Any status"],
  ["open", "Open"],
  ["resolved", "Resolved"],
] as const;
type Status = (typeof STATUSES)[number][0];

/**
 * Fleet incidents: one rule firing on several hosts of a group within minutes, grouped by the
 * edge into one incident with its probable cause. The status filter lives in the URL.
 */
export function Incidents({ query }: { query: URLSearchParams }) {
  const { intervalMs } = useLive();
  const raw = query.get("status") ?? "";
  const status: Status = raw === "open" || raw === "resolved" ? raw : "";
  const incidents = usePoll(
    useCallback((s: AbortSignal) => getIncidents(status, s), [status]),
    intervalMs,
    ISSUE_DATA,
  );
  const setStatus = (value: string) =>
    navigate(`/incidents${value ? `?status=${value}` : ""}`, { replace: true });

  return (
    <>
      <h1>Fleet incidents</h1>
      <p class="small muted">
        The same rule firing on several hosts of a group within minutes is one incident: it pages once, and
        its member issues stay linked.
      </p>
      <form class="filters" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            data-testid="incident-filter-status"
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value)}
          >
            <Options choices={STATUSES} />
          </select>
        </label>
      </form>
      <Panel
        id="incident-list"
        title="Incidents"
        poll={incidents}
        aside={incidents.data && <span class="count">{incidents.data.items.length}</span>}
      >
        {(list) =>
          list.items.length === 0 ? (
            <p class="empty">{status ? "No incidents match this filter." : "No fleet incidents."}</p>
          ) : (
            <IncidentTable items={list.items} />
          )
        }
      </Panel>
    </>
  );
}

function IncidentTable({ items }: { items: FleetIncident[] }) {
  return (
    <ScrollTable
      label="Fleet incidents"
      columns={["Rule", "Group", "Hosts", "Probable cause", "Status", "Opened"]}
    >
      {items.map((i) => (
        <tr key={i.id} data-testid="incident-row" data-incident-id={i.id}>
          <td>
            <Link href={`/incidents/${encodeURIComponent(i.id)}`} data-testid="incident-link">
              {i.rule}
              {i.target ? ` · ${i.target}` : ""}
            </Link>
          </td>
          <td>{i.group}</td>
          <td data-testid="incident-hosts">{i.hosts}</td>
          <td>{i.probableCause?.summary ?? <span class="muted">none found</span>}</td>
          <td>
            <Badge tone={`issue-${i.status}`} label={i.status} />
          </td>
          <td>
            <Time iso={i.openedAt} />
          </td>
        </tr>
      ))}
    </ScrollTable>
  );
}
