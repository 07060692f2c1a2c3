import { useCallback } from "preact/hooks";
import { getActiveIssues, getConfig, getHistory, getMetrics, getStatus } from "../api";
import { HealingSwitch } from "../components/HealingSwitch";
import { HealthCheckButton } from "../components/HealthCheckButton";
import { HistoryList } from "../components/HistoryList";
import { DEFAULT_THRESHOLDS, HostTable, type Thresholds } from "../components/HostTable";
import { IssueList } from "../components/IssueList";
import { Kpis } from "../components/Kpis";
import { Panel } from "../components/Panel";
import { StatusSummary } from "../components/StatusSummary";
import type { Session } from "../types";
import { usePoll } from "../usePoll";

const POLL_MS = 5_000;

interface Props {
  session: Session;
  onSignOut: () => void;
}

/** The single dashboard page: status and controls, KPIs, hosts, open issues, recovery history. */
export function Overview({ session, onSignOut }: Props) {
  const status = usePoll(getStatus, POLL_MS);
  const config = usePoll(getConfig, POLL_MS);
  const issues = usePoll(getActiveIssues, POLL_MS);
  const history = usePoll(getHistory, POLL_MS);
  const metrics = usePoll(getMetrics, POLL_MS);
  const isAdmin = session.scope === "admin";

  const refreshAll = useCallback(() => {
    status.refresh();
    config.refresh();
    issues.refresh();
    history.refresh();
    metrics.refresh();
  }, [status.refresh, config.refresh, issues.refresh, history.refresh, metrics.refresh]);

  const thresholds = readThresholds(config.data);
  const openIssues = status.data?.openIssues;

  return (
    <>
      <a class="skip" href="#hosts">
        Skip to hosts
      </a>
      <header class="topbar">
        <span class="brand">
          <span class="logo" aria-hidden="true" /> selfheal
        </span>
        <span class="who small">
          {session.name} <span class="badge tone-scope">{isAdmin ? "admin" : "read-only"}</span>
        </span>
        <button type="button" class="btn small" onClick={onSignOut} data-testid="signout">
          Sign out
        </button>
      </header>
      <main class="page">
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
          {(m) => <Kpis metrics={m} open={openIssues} />}
        </Panel>

        <Panel
          id="hosts"
          title="Hosts"
          poll={status}
          aside={status.data && <span class="count">{status.data.hosts.length}</span>}
        >
          {(s) => <HostTable hosts={s.hosts} thresholds={thresholds} />}
        </Panel>

        <Panel
          id="issues"
          title="Open issues"
          poll={issues}
          aside={issues.data && <span class="count">{issues.data.items.length}</span>}
        >
          {(list) => <IssueList issues={list.items} canRecover={isAdmin} onRecovered={refreshAll} />}
        </Panel>

        <Panel id="history" title="Recovery history" poll={history}>
          {(list) => <HistoryList entries={list.items} />}
        </Panel>
      </main>
    </>
  );
}

/** The config's alert thresholds (nested, or the seed's top-level form), else the defaults. */
function readThresholds(config: Record<string, unknown> | undefined): Thresholds {
  const monitoring = config?.monitoring as { alert_thresholds?: Partial<Thresholds> } | undefined;
  const t = monitoring?.alert_thresholds ?? (config?.alert_thresholds as Partial<Thresholds> | undefined);
  return { ...DEFAULT_THRESHOLDS, ...t };
}
