import { useCallback, useState } from "preact/hooks";
import { acknowledgeIssue, getHost, messageOf, recoverIssue } from "../api";
import type { Issue, IssueDetail } from "../types";
import type { Message } from "../useAction";
import { usePoll } from "../usePoll";
import { CloseIssue } from "./CloseIssue";
import { Options } from "./Options";

/**
 * Recovery by hand through `POST /api/healing/recover` (approving a waiting command is the
 * Approvals panel's job), and Acknowledge, whose answer replaces the page's copy at once.
 */
export function IssueActions({
  issue,
  onDone,
  onAcknowledged,
}: {
  issue: Issue;
  onDone: () => void;
  onAcknowledged: (issue: IssueDetail) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
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
      setMessage({ ok: false, text: `${verb} failed: ${messageOf(err)}` });
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
        text: `Acknowledge failed: ${messageOf(err)}`,
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
          <Options choices={offered} />
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
