import { getIncident } from "../api";
import { Badge } from "../components/Badge";
import { DetailPending, StaleNote } from "../components/DetailPending";
import { ScrollTable } from "../components/ScrollTable";
import { Time } from "../components/Time";
import { useDetail } from "../hooks/useDetail";
import { Link } from "../router";
import type { FleetIncidentDetail } from "../types";

/** One fleet incident: the rule and group, its probable cause, and every member issue linked. */
export function IncidentDetail({ id }: { id: string }) {
  const poll = useDetail(getIncident, id);
  const incident = poll.data;

  if (!incident)
    return (
      <DetailPending
        detail={poll}
        list={{ href: "/incidents", label: "Fleet incidents" }}
        noun="incident"
        missing={`There is no fleet incident ${id}.`}
      />
    );

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
          <StaleNote error={poll.error} />
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
