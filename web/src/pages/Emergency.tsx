import { useCallback, useState } from "preact/hooks";
import { getIssues, getStatus, recoverIssue } from "../api";
import { Badge } from "../components/Badge";
import { hostChoices, Options } from "../components/Options";
import { Confirmed, type HostProtocol, ProtocolCard } from "../components/ProtocolCard";
import { Time } from "../components/Time";
import { useLive } from "../live";
import { Link } from "../router";
import type { HostSummary } from "../types";
import { ISSUE_DATA, usePoll } from "../usePoll";

/**
 * Host actions (POST /api/v1/hosts/{id}/actions): each opens an operator issue that the agent's
 * result resolves or escalates. The agent runs only what its local config allows.
 */
const PROTOCOLS: HostProtocol[] = [
  {
    id: "restart-service",
    title: "Restart a service",
    what: "Restarts one supervised service now, healthy or not.",
    action: "restart_service",
    service: true,
  },
  {
    id: "backup",
    title: "Emergency backup",
    what: "Archives the paths in the agent's backup config into its state directory.",
    action: "emergency_backup",
  },
  {
    id: "lockdown",
    title: "Lock the host down",
    what: "Runs the agent's configured lock command (firewall rules, say). Undo it with Unlock.",
    action: "lockdown",
  },
  { id: "unlock", title: "Unlock", what: "Runs the agent's configured unlock command.", action: "unlock" },
  {
    id: "shutdown",
    title: "Emergency shutdown",
    what: "Stops the host's services in order to protect data. Always waits for approval, by a second person: whoever asks for it cannot approve it (recovery.second_approval).",
    action: "emergency_shutdown",
  },
];

/** Protocols for when things are badly wrong; each needs the host's name typed before it runs. */
export function Emergency() {
  const { canOperate, intervalMs, config } = useLive();
  const status = usePoll(getStatus, intervalMs);
  const [hostId, setHostId] = useState("");
  const hosts = status.data?.hosts ?? [];
  const host = hosts.find((h) => h.id === hostId) ?? (hosts.length === 1 ? hosts[0] : undefined);
  const allowed = config.data?.recovery?.emergency_shutdown !== false;
  const canRun = canOperate && allowed;

  return (
    <>
      <h1>Emergency protocols</h1>
      <p class="muted">
        These act on a whole host at once. Each asks you to type the host's name, so nothing runs by a slip of
        the finger, and records who asked and why.
      </p>
      {!canOperate && <p class="note">Read-only sessions can see these protocols but not run them.</p>}
      {!allowed && (
        <p class="stale" role="status">
          Emergency protocols are turned off in <Link href="/settings">Settings</Link> (“Allow emergency
          protocols”).
        </p>
      )}
      {status.loading ? (
        <p class="note">Loading hosts…</p>
      ) : hosts.length === 0 ? (
        <p class="empty">No hosts yet: emergency protocols need a host with a running agent.</p>
      ) : (
        <>
          {hosts.length > 1 && (
            <form class="filters" onSubmit={(e) => e.preventDefault()}>
              <label>
                Host
                <select value={host?.id ?? ""} onChange={(e) => setHostId(e.currentTarget.value)}>
                  <option value="">Choose a host…</option>
                  <Options choices={hostChoices(hosts)} />
                </select>
              </label>
            </form>
          )}
          {host && <HostProtocols key={host.id} host={host} canRun={canRun} />}
        </>
      )}
    </>
  );
}

function HostProtocols({ host, canRun }: { host: HostSummary; canRun: boolean }) {
  const { intervalMs } = useLive();
  const issues = usePoll(
    useCallback((s: AbortSignal) => getIssues({ host: host.id, limit: 100 }, s), [host.id]),
    intervalMs,
    ISSUE_DATA,
  );
  const all = issues.data?.items ?? [];
  // Only what the host's agent says it can do (an agent that has not said: everything, it refuses the rest).
  const caps = host.capabilities;
  const offered = caps ? PROTOCOLS.filter((p) => caps.actions.includes(p.action)) : PROTOCOLS;
  const missing = PROTOCOLS.filter((p) => !offered.includes(p));
  const runs = all.filter((i) => i.source === "operator").slice(0, 8);
  const open = all.filter(
    (i) => i.status !== "resolved" && i.status !== "recovering" && i.source !== "operator",
  );
  return (
    <>
      <p>
        Host: <strong>{host.name}</strong>{" "}
        <span class="muted small">
          {host.online ? "online" : "offline: actions wait until it reports again"}
        </span>
      </p>
      <section class="panel" aria-labelledby="runs-title" data-testid="protocol-runs">
        <h2 id="runs-title">Recent protocol runs</h2>
        {runs.length === 0 ? (
          <p class="empty">None on {host.name} yet.</p>
        ) : (
          <ul class="plain">
            {runs.map((i) => (
              <li key={i.id} data-testid="protocol-run">
                <Badge tone={`issue-${i.status}`} label={i.status} />{" "}
                <Link href={`/issues/${encodeURIComponent(i.id)}`}>{i.summary}</Link>{" "}
                <span class="muted small">
                  <Time iso={i.detectedAt} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <RecoverAll host={host.name} open={open} canRun={canRun} onDone={issues.refresh} />
      {offered.map((p) => (
        <ProtocolCard
          key={p.id}
          protocol={p}
          host={host}
          canRun={canRun}
          onQueued={issues.refresh}
          runs={runs}
        />
      ))}
      {missing.length > 0 && (
        <p class="note" data-testid="protocols-not-offered">
          Not offered on {host.name}: {missing.map((p) => p.title).join(", ")}. Its agent's config does not
          enable {missing.length === 1 ? "it" : "them"} (the config's <code>actions</code>, and the section
          each needs, such as <code>backup</code>).
        </p>
      )}
    </>
  );
}

function RecoverAll({
  host,
  open,
  canRun,
  onDone,
}: {
  host: string;
  open: { id: string }[];
  canRun: boolean;
  onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async () => {
    setBusy(true);
    setMessage(null);
    const results = await Promise.allSettled(open.map((i) => recoverIssue(i.id, "auto")));
    const failed = results.filter((r) => r.status === "rejected").length;
    const waiting = results.filter(
      (r) => r.status === "fulfilled" && r.value.status === "awaiting_approval",
    ).length;
    const held = waiting > 0 ? ` ${waiting} wait for approval.` : "";
    setMessage({
      ok: failed === 0,
      text:
        failed === 0
          ? `Queued recovery for ${results.length} issue(s) on ${host}.${held}`
          : `${results.length - failed} queued, ${failed} failed (a refusal says why).${held}`,
    });
    setBusy(false);
    onDone();
  };
  return (
    <section class="panel protocol" aria-labelledby="recover-all-title" data-testid="protocol-recover-all">
      <h2 id="recover-all-title">Recover every open issue on the host</h2>
      <p>
        Runs each open issue's planned recovery at once, approving any that wait, under the same approval
        rules as everything else: what needs approval waits for it, and what needs a second person cannot be
        approved by you if you asked for it.
      </p>
      {open.length === 0 ? (
        <p class="empty">{host} has no open issues to recover right now.</p>
      ) : (
        <Confirmed id="recover-all" host={host} canRun={canRun} busy={busy} onRun={run}>
          <span class="small">
            {open.length} open issue{open.length === 1 ? "" : "s"}
          </span>
        </Confirmed>
      )}
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status">
        {message?.text}
      </p>
    </section>
  );
}
