import { getIssue } from "../api";
import { Approvals } from "../components/Approvals";
import { Badge } from "../components/Badge";
import { DetailPending, StaleNote } from "../components/DetailPending";
import { EvidenceView } from "../components/EvidenceView";
import { GuardrailHold, guardrailHold } from "../components/GuardrailHold";
import { IssueActions } from "../components/IssueActions";
import { IssueWhy } from "../components/IssueWhy";
import { NoiseButton } from "../components/NoiseButton";
import { PredictionList } from "../components/PredictionList";
import { Time } from "../components/Time";
import { Timeline } from "../components/Timeline";
import { formatSeconds } from "../format";
import { useDetail } from "../hooks/useDetail";
import { useLive } from "../live";
import { Link } from "../router";

/** One issue: what happened, why, the evidence, what was done, and the buttons to act on it. */
export function IssueDetail({ id }: { id: string }) {
  const { canOperate, isAdmin } = useLive();
  const poll = useDetail(getIssue, id);
  const issue = poll.data;

  if (!issue)
    return (
      <DetailPending
        detail={poll}
        list={{ href: "/issues", label: "Issues" }}
        noun="issue"
        missing={`There is no issue ${id}.`}
      />
    );

  return (
    <>
      <section class="hero" aria-label="Issue">
        <div>
          <p class="crumbs small">
            <Link href="/issues">Issues</Link> / {issue.rule}
          </p>
          <h1 data-testid="issue-title">{issue.summary}</h1>
          <p class="badges">
            <Badge tone={issue.severity} />{" "}
            <span data-testid="issue-status">
              <Badge tone={`issue-${issue.status}`} label={issue.status} />
            </span>
          </p>
          <StaleNote error={poll.error} />
        </div>
        <dl class="facts">
          <div>
            <dt>Host</dt>
            <dd>
              <Link href={`/hosts/${encodeURIComponent(issue.hostId)}`}>{issue.host}</Link>
            </dd>
          </div>
          <div>
            <dt>Rule</dt>
            <dd>
              {issue.ruleName ?? issue.rule}
              {issue.target && <span class="muted"> · {issue.target}</span>}
            </dd>
          </div>
          {issue.fleetIncident && (
            <div>
              <dt>Fleet incident</dt>
              <dd>
                <Link
                  href={`/incidents/${encodeURIComponent(issue.fleetIncident.id)}`}
                  data-testid="issue-fleet-incident"
                >
                  {issue.fleetIncident.probableCause ?? "one rule on several hosts of the group"}
                </Link>
              </dd>
            </div>
          )}
          <div>
            <dt>Detected</dt>
            <dd>
              <Time iso={issue.detectedAt} />
            </dd>
          </div>
          <div>
            <dt>Acknowledged</dt>
            <dd data-testid="issue-acknowledged">
              {issue.acknowledgedAt ? (
                <>
                  <Time iso={issue.acknowledgedAt} /> <span class="muted">by {issue.acknowledgedBy}</span>
                </>
              ) : (
                <span class="muted">not yet</span>
              )}
            </dd>
          </div>
          <div>
            <dt>{issue.resolvedAt ? "Resolved" : "Attempts"}</dt>
            <dd>
              {issue.resolvedAt ? (
                <>
                  <Time iso={issue.resolvedAt} />{" "}
                  <span class="muted">(MTTR {formatSeconds(issue.mttrSeconds)})</span>
                </>
              ) : (
                (issue.attempts ?? 0)
              )}
            </dd>
          </div>
        </dl>
      </section>

      {issue.status === "awaiting_approval" && (
        <section class="panel attention" aria-labelledby="approve-title" data-testid="issue-approvals">
          <h2 id="approve-title">Waiting for approval</h2>
          <p class="small">
            Recovery needs confirmation:{" "}
            <strong>{(issue.actions ?? []).join(" → ") || "the rule's actions"}</strong> on {issue.host}.
            Rejecting escalates the issue: nothing runs for it automatically again until someone recovers it
            by hand.
          </p>
          <Approvals
            issueId={issue.id}
            onChanged={poll.refresh}
            empty="No waiting command for this issue any more (it was just handled, or it expired)."
          />
        </section>
      )}

      {guardrailHold(issue) && (
        <GuardrailHold
          issue={issue}
          hold={guardrailHold(issue) as string}
          canReset={isAdmin}
          onReset={poll.set}
        />
      )}

      {canOperate && issue.status !== "resolved" && (
        <IssueActions issue={issue} onDone={poll.refresh} onAcknowledged={poll.set} />
      )}

      {canOperate && issue.source !== "operator" && <NoiseButton issueId={issue.id} />}

      {(issue.explanation || issue.incident || issue.flapping) && <IssueWhy issue={issue} />}

      <section class="panel" aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence</h2>
        <EvidenceView evidence={issue.evidence} />
        {issue.prediction?.length ? (
          <PredictionList prediction={issue.prediction} />
        ) : (
          <p class="small">
            Planned actions:{" "}
            <strong>{issue.actions?.join(" → ") || "notify only (no recovery action)"}</strong>
          </p>
        )}
      </section>

      <section class="panel" aria-labelledby="issue-history-title">
        <h2 id="issue-history-title">What was done</h2>
        <Timeline entries={issue.history} />
      </section>
    </>
  );
}
