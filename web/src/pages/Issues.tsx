import { useCallback } from "preact/hooks";
import { SEVERITIES as ALL_SEVERITIES } from "../../../agent/engine/types";
import { getIssues, getStatus, type IssueFilter } from "../api";
import { Approvals } from "../components/Approvals";
import { IssuePanel } from "../components/IssuePanel";
import { hostChoices, Options } from "../components/Options";
import { useLive } from "../live";
import { navigate } from "../router";
import { ISSUE_DATA, usePoll } from "../usePoll";

const STATUSES = [
  ["active", "Active (not resolved)"],
  ["awaiting_approval", "Awaiting approval"],
  ["open", "Open"],
  ["recovering", "Recovering"],
  ["escalated", "Escalated"],
  ["resolved", "Resolved"],
  ["", "Any status"],
] as const;
const SEVERITIES = [["", "Any severity"], ...ALL_SEVERITIES] as const;

/** All issues with filters kept in the URL (so a filtered view can be shared and reloaded). */
export function Issues({ query }: { query: URLSearchParams }) {
  const { canOperate, intervalMs } = useLive();
  const status = query.get("status") ?? "active";
  const severity = query.get("severity") ?? "";
  const host = query.get("host") ?? "";
  const issues = usePoll(
    useCallback(
      (s: AbortSignal) =>
        getIssues(
          {
            status: (status || undefined) as IssueFilter["status"],
            severity: (severity || undefined) as IssueFilter["severity"],
            host,
            limit: "200",
          },
          s,
        ),
      [status, severity, host],
    ),
    intervalMs,
    ISSUE_DATA,
  );
  const hosts = usePoll(getStatus, 60_000, { live: false });

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value === (key === "status" ? "active" : "")) next.delete(key);
    else next.set(key, value);
    const qs = next.toString();
    navigate(`/issues${qs ? `?${qs}` : ""}`, { replace: true });
  };

  return (
    <>
      <h1>Issues</h1>
      <form class="filters" aria-label="Filter issues" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            data-testid="filter-status"
            value={status}
            onChange={(e) => set("status", e.currentTarget.value)}
          >
            <Options choices={STATUSES} />
          </select>
        </label>
        <label>
          Severity
          <select
            data-testid="filter-severity"
            value={severity}
            onChange={(e) => set("severity", e.currentTarget.value)}
          >
            <Options choices={SEVERITIES} />
          </select>
        </label>
        <label>
          Host
          <select data-testid="filter-host" value={host} onChange={(e) => set("host", e.currentTarget.value)}>
            <option value="">Any host</option>
            <Options choices={hostChoices(hosts.data?.hosts)} />
            {host && !hosts.data?.hosts.some((h) => h.id === host) && <option value={host}>{host}</option>}
          </select>
        </label>
      </form>
      <section class="panel" id="approvals" aria-labelledby="approvals-title">
        <h2 id="approvals-title">Approvals</h2>
        <Approvals onChanged={issues.refresh} />
      </section>
      <IssuePanel
        id="issue-list"
        title="Matching issues"
        poll={issues}
        canRecover={canOperate}
        onRecovered={issues.refresh}
        empty={
          status === "active" && !severity && !host
            ? "No open issues. All is well."
            : "No issues match these filters."
        }
      />
    </>
  );
}
