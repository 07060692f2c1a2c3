import { useState } from "preact/hooks";
import { closeIssue, messageOf } from "../api";
import type { IssueDetail } from "../types";

/** Closes an operator action's issue that ended refused or failed: nothing would ever resolve it. */
export function CloseIssue({ issueId, onClosed }: { issueId: string; onClosed: (i: IssueDetail) => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onClosed(await closeIssue(issueId, reason.trim()));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="control" onSubmit={submit} data-testid="close-issue">
      <label for="close-reason">Close it, because</label>
      <input
        id="close-reason"
        value={reason}
        maxLength={500}
        placeholder="e.g. backup is not configured on this host"
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <button type="submit" class="btn" disabled={busy || reason.trim() === ""}>
        Close issue
      </button>
      {error && (
        <span class="error-text" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
