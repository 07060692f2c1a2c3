import { useCallback, useState } from "preact/hooks";
import { ApiError, acknowledgeIssue, getHost, getIssue, recoverIssue } from "../api";
import { Approvals } from "../components/Approvals";
import { Badge } from "../components/Badge";
import { CloseIssue } from "../components/CloseIssue";
import { EvidenceView } from "../components/EvidenceView";
import { GuardrailHold, guardrailHold } from "../components/GuardrailHold";
import { NoiseButton } from "../components/NoiseButton";
import { PredictionList } from "../components/PredictionList";
import { Time } from "../components/Time";
import { Timeline } from "../components/Timeline";
import { formatSeconds } from "../format";
import { useLive } from "../live";
import { Link } from "../router";
import type { Issue, IssueDetail as IssueDetailView } from "../types";
import { ISSUE_DATA, usePoll } from "../usePoll";

/** One issue: what happened, why, the evidence, what was done, and the buttons to act on it. */
export function IssueDetail({ id }: { id: string }) {
  const { canOperate, isAdmin, intervalMs } = useLive();
  const poll = usePoll(
    useCallback((s: AbortSignal) => getIssue(id, s), [id]),
    intervalMs,
    ISSUE_DATA,
  );
  const issue = poll.data;

  if (!issue) {
    const missing = poll.error instanceof ApiError && poll.error.status === 404;
    return (
      <section class="panel" aria-busy={poll.loading}>
        <p class="crumbs small">
          <Link href="/issues">Issues</Link> / issue
        </p>
        {poll.loading ? (
          <p class="note">Loading…</p>
        ) : (
          <div class="error-box" role="alert">
            <p>{missing ? `There is no issue ${id}.` : `Could not load the issue: ${poll.error?.message}`}</p>
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
          {poll.error && (
            <p class="stale" role="status">
              Could not refresh ({poll.error.message}).
            </p>
          )}
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

      {(issue.explanation || issue.incident || issue.flapping) && <Why issue={issue} />}

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

/** The API's explanation: the rule's condition, the plan and its reason, the incident around it. */
function Why({ issue }: { issue: Issue }) {
  const e = issue.explanation;
  const related = issue.incident?.related ?? [];
  return (
    <section class="panel" aria-labelledby="why-title" data-testid="explanation">
      <h2 id="why-title">Why this happened</h2>
      {typeof e === "string" ? (
        <p class="explanation">{e}</p>
      ) : (
        e && (
          <dl class="facts stacked">
            {e.rule && (
              <div>
                <dt>Condition</dt>
                <dd>
                  {e.rule.name}: {e.rule.condition}
                </dd>
              </div>
            )}
            {e.plan && (
              <div>
                <dt>Plan</dt>
                <dd>
                  {e.plan.why}
                  {e.plan.next && <span class="muted"> Next: {e.plan.next}.</span>}
                </dd>
              </div>
            )}
            {e.plan?.chain?.some((s) => s.target) && (
              <div>
                <dt>Targets</dt>
                <dd>
                  <ul class="plain">
                    {e.plan.chain.map((s) => (
                      <li key={s.action}>
                        {s.action}: {s.why}
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            )}
            {e.plan?.skipped?.length ? (
              <div>
                <dt>Skipped</dt>
                <dd>
                  <ul class="plain">
                    {e.plan.skipped.map((s) => (
                      <li key={s.action}>{s.reason}</li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
          </dl>
        )
      )}
      {issue.flapping && (
        <p class="stale">
          This issue opens and closes too often: automatic actions are held until it settles.
        </p>
      )}
      {issue.incident && (
        <p class="small">
          {issue.incident.cause
            ? "This issue is the probable cause of its incident; only it is acted on."
            : "This issue is probably a symptom; recovery goes to the cause."}{" "}
          <span class="muted">{issue.incident.probableCause}</span>
          {related.length > 0 && (
            <>
              {" "}
              Related:{" "}
              {related.map((id, i) => (
                <span key={id}>
                  {i > 0 && ", "}
                  <Link href={`/issues/${encodeURIComponent(id)}`}>{id}</Link>
                </span>
              ))}
            </>
          )}
        </p>
      )}
    </section>
  );
}

type Detail = IssueDetailView;

/**
 * Recovery by hand through `POST /api/healing/recover` (approving a waiting command is the
 * Approvals panel's job), and Acknowledge, whose answer replaces the page's copy at once.
 */
function IssueActions({
  issue,
  onDone,
  onAcknowledged,
}: {
  issue: Issue;
  onDone: () => void;
  onAcknowledged: (issue: Detail) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [action, setAction] = useState("auto");
  // only what the host's agent says it can run (an agent that has not said: the rule's actions)
  const host = usePoll(
    useCallback((s: AbortSignal) => getHost(issue.hostId, s), [issue.hostId]),
    60_000,
  );
  const caps = host.data?.capabilities;
  const actions = issue.actions ?? [];
  const offered = caps
    ? actions.filter((a) => a.startsWith("webhook:") || caps.actions.includes(a))
    : actions;
  const refused = actions.filter((a) => !offered.includes(a));

  const run = async (what: string, verb: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await recoverIssue(issue.id, what);
      setMessage({
        ok: true,
        text: `${verb}: ${[r.action, r.target].filter(Boolean).join(" ")} ${r.status === "awaiting_approval" ? "is waiting for approval" : "queued"} on ${issue.host}.`,
      });
      onDone();
    } catch (err) {
      setMessage({ ok: false, text: `${verb} failed: ${err instanceof Error ? err.message : String(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const acknowledge = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const updated = await acknowledgeIssue(issue.id);
      onAcknowledged(updated);
      setMessage({ ok: true, text: `Acknowledged by ${updated.acknowledgedBy}.` });
    } catch (err) {
      setMessage({
        ok: false,
        text: `Acknowledge failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="act-title">
      <h2 id="act-title">Act on this issue</h2>
      {!issue.acknowledgedAt && (
        <p class="control">
          <button type="button" class="btn" data-testid="acknowledge" disabled={busy} onClick={acknowledge}>
            Acknowledge
          </button>
          <span class="muted small">Tells everyone (and PagerDuty) that you are on it.</span>
        </p>
      )}
      {issue.status === "escalated" && issue.source === "operator" && (
        <>
          <p class="small">
            The action asked for ended refused or failed (the history below says why). Run it again from
            Emergency once the cause is fixed, or close this issue with a reason.
          </p>
          <CloseIssue issueId={issue.id} onClosed={onAcknowledged} />
        </>
      )}
      {issue.status === "escalated" && issue.source !== "operator" && (
        <p class="small">Escalated: nothing runs for this issue automatically until you recover it here.</p>
      )}
      <form
        class="control"
        onSubmit={(e) => {
          e.preventDefault();
          void run(action, "Recovery");
        }}
      >
        <label for="recover-action">Recover by hand with</label>
        <select id="recover-action" value={action} onChange={(e) => setAction(e.currentTarget.value)}>
          <option value="auto">the rule's actions (auto)</option>
          {offered.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <button
          type="submit"
          class="btn"
          data-testid="recover"
          disabled={busy || issue.status === "recovering"}
          title={issue.status === "recovering" ? "A recovery is already running" : undefined}
        >
          {busy ? "Queuing…" : "Recover"}
        </button>
      </form>
      {refused.length > 0 && (
        <p class="muted small" data-testid="recover-not-offered">
          Not offered: {refused.join(", ")}, which {issue.host}'s agent config does not enable.
        </p>
      )}
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status" aria-live="polite">
        {message?.text}
      </p>
    </section>
  );
}
