import { useCallback, useState } from "preact/hooks";
import { getIssues, getStatus, recoverIssue } from "../api";
import { useLive } from "../live";
import { Link } from "../router";
import { usePoll } from "../usePoll";

interface Protocol {
  id: string;
  title: string;
  what: string;
  /**
   * Available now, or waiting for a host-level emergency endpoint: the agent knows
   * emergency_backup, lockdown, unlock and emergency_shutdown, but the API only queues actions for
   * an issue (`POST /api/healing/recover {issue_id, action}`), not for a host.
   */
  available: boolean;
}

const PROTOCOLS: Protocol[] = [
  {
    id: "recover-all",
    title: "Recover every open issue on the host",
    what: "Runs each open issue's planned recovery at once, skipping approval.",
    available: true,
  },
  {
    id: "restart-services",
    title: "Restart all supervised services",
    what: "Restarts every service the agent supervises, healthy or not.",
    available: false,
  },
  {
    id: "free-resources",
    title: "Free memory and disk",
    what: "Clears caches and temporary files, and stops runaway processes.",
    available: false,
  },
  {
    id: "shutdown",
    title: "Emergency shutdown",
    what: "Stops the host's services in order to protect data.",
    available: false,
  },
];

/** Protocols for when things are badly wrong; each needs the host's name typed before it runs. */
export function Emergency() {
  const { isAdmin, intervalMs, config } = useLive();
  const status = usePoll(getStatus, intervalMs);
  const [hostId, setHostId] = useState("");
  const hosts = status.data?.hosts ?? [];
  const host = hosts.find((h) => h.id === hostId) ?? (hosts.length === 1 ? hosts[0] : undefined);
  const allowed = config.data?.recovery?.emergency_shutdown !== false;

  return (
    <>
      <h1>Emergency protocols</h1>
      <p class="muted">
        These act on a whole host at once. Each asks you to type the host's name, so nothing runs by a slip of
        the finger.
      </p>
      {!isAdmin && <p class="note">Read-only sessions can see these protocols but not run them.</p>}
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
                  {hosts.map((h) => (
                    <option key={h.id} value={h.id}>
                      {h.name}
                    </option>
                  ))}
                </select>
              </label>
            </form>
          )}
          {host && (
            <p>
              Host: <strong>{host.name}</strong>{" "}
              <span class="muted small">
                {host.online ? "online" : "offline: actions wait until it reports again"}
              </span>
            </p>
          )}
          {host &&
            PROTOCOLS.map((p) => (
              <ProtocolCard
                key={`${p.id}-${host.id}`}
                protocol={p}
                hostId={host.id}
                hostName={host.name}
                canRun={isAdmin && allowed}
              />
            ))}
        </>
      )}
    </>
  );
}

function ProtocolCard({
  protocol: p,
  hostId,
  hostName,
  canRun,
}: {
  protocol: Protocol;
  hostId: string;
  hostName: string;
  canRun: boolean;
}) {
  const { intervalMs } = useLive();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const issues = usePoll(
    useCallback((s: AbortSignal) => getIssues({ host: hostId, status: "active" }, s), [hostId]),
    intervalMs,
  );
  const open = (issues.data?.items ?? []).filter((i) => i.status !== "recovering");
  const inputId = `confirm-${p.id}`;
  const confirmed = typed.trim() === hostName;

  const run = async (e: Event) => {
    e.preventDefault();
    if (!confirmed) return;
    setBusy(true);
    setMessage(null);
    const results = await Promise.allSettled(open.map((i) => recoverIssue(i.id, "auto")));
    const failed = results.filter((r) => r.status === "rejected").length;
    setMessage({
      ok: failed === 0,
      text:
        failed === 0
          ? `Queued recovery for ${results.length} issue(s) on ${hostName}.`
          : `${results.length - failed} queued, ${failed} failed.`,
    });
    setTyped("");
    setBusy(false);
    issues.refresh();
  };

  return (
    <section class="panel protocol" aria-labelledby={`${p.id}-title`} data-testid={`protocol-${p.id}`}>
      <h2 id={`${p.id}-title`}>{p.title}</h2>
      <p>{p.what}</p>
      {!p.available ? (
        <p class="muted small">
          Not available yet: the API can only queue actions for an issue, not for a whole host.
        </p>
      ) : open.length === 0 ? (
        <p class="empty">{hostName} has no open issues to recover right now.</p>
      ) : (
        <form class="control" onSubmit={run}>
          <label for={inputId}>
            Type <strong>{hostName}</strong> to confirm ({open.length} open issue
            {open.length === 1 ? "" : "s"})
          </label>
          <input
            id={inputId}
            class="confirm-input"
            autoComplete="off"
            spellcheck={false}
            value={typed}
            disabled={!canRun}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
          <button type="submit" class="btn danger" disabled={!canRun || !confirmed || busy}>
            {busy ? "Running…" : "Run protocol"}
          </button>
        </form>
      )}
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status">
        {message?.text}
      </p>
    </section>
  );
}
