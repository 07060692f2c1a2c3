import { useCallback, useEffect, useState } from "preact/hooks";
import { getEffectiveConfig, getHistory, getHost, getHostThresholds, getIssues } from "../api";
import { AdaptiveThresholds } from "../components/AdaptiveThresholds";
import { Badge } from "../components/Badge";
import { IssuePanel } from "../components/IssuePanel";
import { Meter } from "../components/Meter";
import { Panel } from "../components/Panel";
import { RANGES, RangePicker } from "../components/RangePicker";
import { RetireHostButton } from "../components/RetireHostButton";
import { EffectiveConfigView } from "../components/ScopeView";
import { ServiceTable } from "../components/ServiceTable";
import { Time } from "../components/Time";
import { Timeline } from "../components/Timeline";
import { formatScore } from "../format";
import { useSamples } from "../hooks/useSamples";
import { useLive } from "../live";
import { Link } from "../router";
import { ISSUE_DATA, usePoll } from "../usePoll";

type ChartsModule = typeof import("../components/MetricCharts");

/** One host: its state, live charts over a chosen range, services, open issues and recoveries. */
export function HostDetail({ id }: { id: string }) {
  const { canOperate, isAdmin, intervalMs, thresholds: orgThresholds } = useLive();
  const [range, setRange] = useState(RANGES[0].ms);
  const host = usePoll(
    useCallback((s: AbortSignal) => getHost(id, s), [id]),
    intervalMs,
  );
  const issues = usePoll(
    useCallback((s: AbortSignal) => getIssues({ host: id, status: "active" }, s), [id]),
    intervalMs,
    ISSUE_DATA,
  );
  const history = usePoll(
    useCallback((s: AbortSignal) => getHistory(s, { host: id, limit: 50 }), [id]),
    intervalMs,
    ISSUE_DATA,
  );
  const effective = usePoll(
    useCallback((s: AbortSignal) => getEffectiveConfig(id, s), [id]),
    60_000,
  );
  const adaptive = usePoll(
    useCallback((s: AbortSignal) => getHostThresholds(id, s), [id]),
    60_000,
  );
  // the host's own thresholds where its group or itself sets them (scope)
  const scoped = effective.data?.thresholds;
  const t = scoped
    ? (Object.fromEntries(
        Object.entries(scoped).map(([k, v]) => [k, v.value]),
      ) as unknown as typeof orgThresholds)
    : orgThresholds;
  const samples = useSamples(id, range, intervalMs);
  const charts = useChartsModule();

  const h = host.data;
  const m = h?.metrics ?? {};
  const refresh = () => {
    host.refresh();
    issues.refresh();
    history.refresh();
  };

  if (host.error && !h && (host.error as { status?: number }).status === 404) {
    return (
      <section class="panel">
        <h1>Host not found</h1>
        <p>
          No host has the id <code>{id}</code>. <Link href="/">Back to the overview</Link>.
        </p>
      </section>
    );
  }

  return (
    <>
      <section class="hero" aria-label="Host state">
        <div>
          <p class="crumbs small">
            <Link href="/">Overview</Link> / host
          </p>
          <h1 data-testid="host-title">{h?.name ?? (host.loading ? "Loading…" : id)}</h1>
          {h && (
            <p class="muted small">
              <span class={`dot ${h.online ? "tone-healthy" : "tone-offline"}`} aria-hidden="true" />
              {h.retiredAt ? "retired" : h.online ? "online" : "offline"} · seen <Time iso={h.lastSeenAt} />
              {[h.hostname, h.os, h.group].filter(Boolean).map((x) => ` · ${x}`)}
            </p>
          )}
          {h && isAdmin && !h.retiredAt && <RetireHostButton id={h.id} name={h.name} />}
          {host.error && h && (
            <p class="stale" role="status">
              Could not refresh ({host.error.message}).
            </p>
          )}
          {host.error && !h && (
            <p class="error-text" role="alert">
              Could not load the host: {host.error.message}
            </p>
          )}
        </div>
        {h && (
          <dl class="facts">
            <div>
              <dt>Health score</dt>
              <dd data-testid="host-score">
                {formatScore(h.healthScore)} {h.status && <Badge tone={h.status} />}
              </dd>
            </div>
            <div>
              <dt>CPU</dt>
              <dd>
                <Meter label="CPU" value={m.cpu} warning={t.cpu_warning} critical={t.cpu_critical} />
              </dd>
            </div>
            <div>
              <dt>Memory</dt>
              <dd>
                <Meter
                  label="Memory"
                  value={m.memory}
                  warning={t.memory_warning}
                  critical={t.memory_critical}
                />
              </dd>
            </div>
            <div>
              <dt>Disk</dt>
              <dd>
                <Meter label="Disk" value={m.disk} warning={t.disk_warning} critical={t.disk_critical} />
              </dd>
            </div>
          </dl>
        )}
      </section>

      <section class="panel" aria-labelledby="charts-title">
        <div class="panel-head wrap-head">
          <h2 id="charts-title">Metrics</h2>
          <RangePicker value={range} onChange={setRange} />
        </div>
        {samples.error && (
          <p class={samples.data.ts.length ? "stale" : "error-box"} role="alert">
            Could not load samples: {samples.error.message}
          </p>
        )}
        {samples.truncated && (
          <p class="note small">This range holds more samples than one view loads; the newest are shown.</p>
        )}
        {charts instanceof Error ? (
          <p class="error-box" role="alert">
            {charts.message}
          </p>
        ) : samples.loading || !charts ? (
          <p class="note">Loading charts…</p>
        ) : (
          <charts.MetricCharts data={samples.data} version={samples.version} />
        )}
      </section>

      <Panel id="services" title="Services" poll={host}>
        {(hs) => <ServiceTable services={hs.services} />}
      </Panel>

      <IssuePanel
        id="host-issues"
        title="Open issues"
        poll={issues}
        canRecover={canOperate}
        onRecovered={refresh}
        empty="No open issues on this host."
      />

      <Panel id="host-timeline" title="Recovery timeline" poll={history}>
        {(list) => <Timeline entries={list.items} />}
      </Panel>

      <Panel id="host-scope" title="Thresholds and rules in force" poll={effective}>
        {(config) => <EffectiveConfigView config={config} />}
      </Panel>

      <Panel id="host-adaptive" title="Suggested thresholds" poll={adaptive}>
        {(view) => <AdaptiveThresholds view={view} />}
      </Panel>
    </>
  );
}

/** uPlot is loaded on first use of a host page, not with the overview. */
function useChartsModule(): ChartsModule | Error | null {
  const [mod, setMod] = useState<ChartsModule | Error | null>(null);
  useEffect(() => {
    let live = true;
    import("../components/MetricCharts").then(
      (m) => live && setMod(m),
      () => live && setMod(new Error("The chart code could not be loaded. Reload the page to try again.")),
    );
    return () => {
      live = false;
    };
  }, []);
  return mod;
}
