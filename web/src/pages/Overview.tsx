import { useCallback } from "preact/hooks";
import { getActiveIssues, getHistory, getMetrics, getStatus } from "../api";
import { AddHost } from "../components/AddHost";
import { HealingSwitch } from "../components/HealingSwitch";
import { HealthCheckButton } from "../components/HealthCheckButton";
import { HistoryList } from "../components/HistoryList";
import { HostTable } from "../components/HostTable";
import { IssuePanel } from "../components/IssuePanel";
import { Kpis } from "../components/Kpis";
import { Panel } from "../components/Panel";
import { StatusSummary } from "../components/StatusSummary";
import { useLive } from "../live";
import { ISSUE_DATA, usePoll } from "../usePoll";

/** Status and controls, KPIs, hosts, open issues, the latest recoveries; all refreshed every interval. */
export function Overview() {
  const { isAdmin, canOperate, config, intervalMs, thresholds } = useLive();
  const status = usePoll(getStatus, intervalMs);
  const issues = usePoll(getActiveIssues, intervalMs, ISSUE_DATA);
  const history = usePoll(getHistory, intervalMs, ISSUE_DATA);
  const metrics = usePoll(getMetrics, intervalMs, ISSUE_DATA);

  const refreshAll = useCallback(() => {
    status.refresh();
    config.refresh();
    issues.refresh();
    history.refresh();
    metrics.refresh();
  }, [status.refresh, config.refresh, issues.refresh, history.refresh, metrics.refresh]);

  return (
    <>
      <h1 class="visually-hidden">Overview</h1>
      <section class="hero" aria-label="Overall health and controls">
        <StatusSummary status={status.data} updatedAt={status.updatedAt} />
        {status.error && !status.data && !status.loading && (
          <p class="error-text" role="alert">
            Could not load status: {status.error.message}
          </p>
        )}
        <div class="controls">
          <HealingSwitch
            enabled={config.data?.enabled ?? status.data?.enabled}
            configVersion={config.updatedAt}
            canWrite={isAdmin}
            onChanged={refreshAll}
          />
          <HealthCheckButton canWrite={isAdmin} onDone={refreshAll} />
        </div>
      </section>

      <Panel id="kpis" title="Recovery metrics" poll={metrics}>
        {(m) => <Kpis metrics={m} open={status.data?.openIssues} hosts={status.data?.hosts} />}
      </Panel>

      <Panel
        id="hosts"
        title="Hosts"
        poll={status}
        aside={
          <>
            {status.data && <span class="count">{status.data.hosts.length}</span>}
            <AddHost canWrite={isAdmin} />
          </>
        }
      >
        {(s) => <HostTable hosts={s.hosts} thresholds={thresholds} sparkMs={intervalMs} />}
      </Panel>

      <IssuePanel
        id="issues"
        title="Open issues"
        poll={issues}
        canRecover={canOperate}
        onRecovered={refreshAll}
      />

      <Panel id="history" title="Recovery history" poll={history}>
        {(list) => <HistoryList entries={list.items} />}
      </Panel>
    </>
  );
}
