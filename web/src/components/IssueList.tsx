import { useState } from "preact/hooks";
import { approveCommand, getAwaitingApproval, messageOf, recoverIssue } from "../api";
import { Link } from "../router";
import type { Issue } from "../types";
import { Badge } from "./Badge";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

interface Props {
  issues: Issue[];
  /** What to say when the list is empty. */
  empty?: string;
  canRecover: boolean;
  onRecovered: () => void;
}

/** Issues, newest first, each linking to its detail and with a manual "Recover" for admins. */
export function IssueList({ issues, canRecover, onRecovered, empty = "No open issues." }: Props) {
  const [pending, setPending] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const recover = async (issue: Issue) => {
    setPending(issue.id);
    setMessage(null);
    try {
      if (issue.status === "awaiting_approval") {
        // Approve the issue's waiting command through the approvals API.
        const waiting = (await getAwaitingApproval()).items.find((c) => c.issueId === issue.id);
        if (!waiting) throw new Error("nothing is waiting for approval any more");
        const c = await approveCommand(waiting.id);
        const what = [c.action, c.target].filter(Boolean).join(" ");
        setMessage({ ok: true, text: `Approved on ${issue.host}: ${what} (${c.status}).` });
      } else {
        const r = await recoverIssue(issue.id);
        const what = [r.action, r.target].filter(Boolean).join(" ");
        const queued = r.status === "awaiting_approval" ? "waiting for approval" : "queued";
        setMessage({ ok: true, text: `Recovery ${queued} on ${issue.host}: ${what}.` });
      }
      onRecovered();
    } catch (err) {
      setMessage({ ok: false, text: `Could not recover ${issue.rule} on ${issue.host}: ${messageOf(err)}` });
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status" aria-live="polite">
        {message?.text}
      </p>
      {issues.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <ScrollTable
          label="Open issues"
          columns={["Severity", "Host", "Rule", "Summary", "Status", "Detected"]}
          actions={canRecover && "Actions"}
        >
          {issues.map((i) => (
            <tr key={i.id} data-testid="issue-row" data-issue-id={i.id}>
              <td>
                <Badge tone={i.severity} />
              </td>
              <td>
                <Link href={`/hosts/${encodeURIComponent(i.hostId)}`}>{i.host}</Link>
              </td>
              <td>
                <span title={i.ruleName ?? undefined}>{i.rule}</span>
                {i.target && <span class="muted small block">{i.target}</span>}
              </td>
              <td class="wrap">
                <Link href={`/issues/${encodeURIComponent(i.id)}`} data-testid="issue-link">
                  {i.summary}
                </Link>
              </td>
              <td>
                <Badge tone={`issue-${i.status}`} label={i.status} />
                {(i.attempts ?? 0) > 0 && <span class="muted small block">{i.attempts} attempt(s)</span>}
                {i.acknowledgedBy && i.status !== "resolved" && (
                  <span class="muted small block">acknowledged by {i.acknowledgedBy}</span>
                )}
              </td>
              <td>
                <Time iso={i.detectedAt} />
              </td>
              {canRecover && (
                <td>
                  <button
                    type="button"
                    class="btn small"
                    disabled={pending !== null || i.status === "recovering" || i.status === "resolved"}
                    aria-label={`${i.status === "awaiting_approval" ? "Approve recovery of" : "Recover"} ${i.rule} on ${i.host}`}
                    title={i.status === "recovering" ? "A recovery is already running" : undefined}
                    onClick={() => recover(i)}
                  >
                    {pending === i.id ? "Queuing…" : i.status === "awaiting_approval" ? "Approve" : "Recover"}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </ScrollTable>
      )}
    </>
  );
}
