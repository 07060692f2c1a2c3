import { Link } from "../router";
import type { Issue } from "../types";

/** The API's explanation: the rule's condition, the plan and its reason, the incident around it. */
export function IssueWhy({ issue }: { issue: Issue }) {
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
