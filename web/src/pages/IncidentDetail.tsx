import { useCallback } from "preact/hooks";
import { ApiError, getIncident } from "../api";
import { Badge } from "../components/Badge";
import { ScrollTable } from "../components/ScrollTable";
import { Time } from "../components/Time";
import { useLive } from "../live";
import { Link } from "../router";
import type { FleetIncidentDetail } from "../types";
import { ISSUE_DATA, usePoll } from "../usePoll";

/** One fleet incident: the rule and group, its probable cause, and every member issue linked. */
export function IncidentDetail({ id }: { id: string }) {
  const { intervalMs } = useLive();
  const poll = usePoll(
    useCallback((s: AbortSignal) => getIncident(id, s), [id]),
    intervalMs,
    ISSUE_DATA,
  );
  const incident = poll.data;

  if (!incident) {
    const missing = poll.error instanceof ApiError && poll.error.status === 404;
    return (
      <section class="panel" aria-busy={poll.loading}>
        <p class="crumbs small">
          <Link href="/incidents">Fleet incidents</Link> / incident
        </p>
        {poll.loading ? (
          <p class="note">Loading…</p>
        ) : (
          <div class="error-box" role="alert">
            <p>
              {missing
                ? `There is no fleet incident ${id}.`
                : `Could not load the incident: ${poll.error?.message}`}
            </p>
            {!missing && (
              <button type="button" class="btn small" onClick={poll.refresh}>
                Retry
              </button>
            )}
          </div>
        )}
      </section>
    );
  }

  const cause = incident.probableCause;
  return (
    <>
      <section class="hero" aria-label="Fleet incident">
        <div>
          <p class="crumbs small">
            <Link href="/incidents">Fleet incidents</Link> / {incident.rule}
          </p>
          <h1 data-testid="incident-title">
            {incident.rule}
            {incident.target ? ` · ${incident.target}` : ""} on {incident.hosts} hosts of {incident.group}
          </h1>
          <p class="badges" data-testid="incident-status">
            <Badge tone={`issue-${incident.status}`} label={incident.status} />
          </p>
          {poll.error && (
            <p class="stale" role="status">
              Could not refresh ({poll.error.message}).
            </p>
          )}
        </div>
        <dl class="facts">
          <div>
            <dt>Group</dt>
            <dd>{incident.group}</dd>
          </div>
          <div>
            <dt>Opened</dt>
            <dd>
              <Time iso={incident.openedAt} />
            </dd>
          </div>
          <div>
            <dt>Newest member</dt>
            <dd>
              <Time iso={incident.lastAt} />
            </dd>
          </div>
          <div>
            <dt>Probable cause</dt>
            <dd data-testid="incident-cause">
              {cause ? (
                <>
                  {cause.summary} <span class="muted">({cause.kind}, </span>
                  <Time iso={cause.at} />
                  <span class="muted">)</span>
                </>
              ) : (
                <span class="muted">no deploy or config change in the 30 minutes before it</span>
              )}
            </dd>
          </div>
        </dl>
      </section>
      <section class="panel" aria-labelledby="members-title">
        <h2 id="members-title">Member issues</h2>
        <p class="small">
          The lead paged for the incident; the other members notify only when they need a person (escalated,
          awaiting approval, past a deadline).
        </p>
        <Members members={incident.members} />
      </section>
    </>
  );
}

function Members({ members }: { members: FleetIncidentDetail["members"] }) {
  return (
    <ScrollTable label="Member issues">
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Issue</th>
          <th scope="col">Status</th>
          <th scope="col">Detected</th>
          <th scope="col">Resolved</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <tr key={m.issueId} data-testid="incident-member" data-issue-id={m.issueId}>
            <td>
              <Link href={`/hosts/${encodeURIComponent(m.hostId)}`}>{m.host}</Link>
              {m.lead && <span class="badge tone-scope">lead</span>}
            </td>
            <td>
              <Link href={`/issues/${encodeURIComponent(m.issueId)}`} data-testid="incident-member-issue">
                {m.issueId}
              </Link>
            </td>
            <td>
              <Badge tone={`issue-${m.status}`} label={m.status} />
            </td>
            <td>
              <Time iso={m.detectedAt} />
            </td>
            <td>
              <Time iso={m.resolvedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}
