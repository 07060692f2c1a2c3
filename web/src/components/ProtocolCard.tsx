import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { messageOf, runHostAction } from "../api";
import { Link } from "../router";
import type { HostSummary, Issue } from "../types";
import { Options } from "./Options";

export interface HostProtocol {
  id: string;
  title: string;
  what: string;
  /** One of the agent's action kinds (POST /api/v1/hosts/{id}/actions). */
  action: string;
  /** Needs a service of the host as its target. */
  service?: boolean;
}

/**
 * The typed-confirmation frame every protocol shares: the host's name must be typed exactly
 * before Run is enabled, and the outcome is announced in a live region.
 */
export function Confirmed({
  id,
  host,
  canRun,
  busy,
  ready = true,
  onRun,
  children,
}: {
  id: string;
  host: string;
  canRun: boolean;
  busy: boolean;
  ready?: boolean;
  onRun: () => Promise<void>;
  children?: ComponentChildren;
}) {
  const [typed, setTyped] = useState("");
  const confirmed = typed.trim() === host;
  return (
    <form
      class="control protocol-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!confirmed || !ready) return;
        await onRun();
        setTyped("");
      }}
    >
      {children}
      <label for={`confirm-${id}`}>
        Type <strong>{host}</strong> to confirm
      </label>
      <input
        id={`confirm-${id}`}
        class="confirm-input"
        autoComplete="off"
        spellcheck={false}
        value={typed}
        disabled={!canRun}
        onInput={(e) => setTyped(e.currentTarget.value)}
      />
      <button type="submit" class="btn danger" disabled={!canRun || !confirmed || !ready || busy}>
        {busy ? "Running…" : "Run protocol"}
      </button>
    </form>
  );
}

/** One host action: a reason (kept on the issue it opens), a target when it needs one, then the typed name. */
export function ProtocolCard({
  protocol: p,
  host,
  canRun,
  onQueued,
  runs = [],
}: {
  protocol: HostProtocol;
  host: HostSummary;
  canRun: boolean;
  onQueued: () => void;
  /** The host's recent operator issues (pushed live): a run's outcome replaces "queued…". */
  runs?: Issue[];
}) {
  const [reason, setReason] = useState("");
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string; issue?: string } | null>(null);
  const limit = host.capabilities?.limits?.[p.action];
  const services = host.services.map((s) => s.name).filter((s) => !limit || limit.includes(s));

  const run = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const body = { action: p.action, reason: reason.trim(), ...(p.service ? { target } : {}) };
      const r = await runHostAction(host.id, body);
      const waiting = r.commandStatus === "awaiting_approval";
      setMessage({
        ok: true,
        text: waiting
          ? `${p.action} on ${r.host} is waiting for approval.`
          : `${p.action} queued on ${r.host}; the agent runs it on its next contact.`,
        issue: r.issueId,
      });
      setReason("");
      onQueued();
    } catch (err) {
      setMessage({ ok: false, text: `Not run: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const outcome = message?.issue ? runs.find((i) => i.id === message.issue) : undefined;
  const text =
    outcome?.status === "resolved"
      ? `${p.action} on ${host.name} finished.`
      : outcome?.status === "escalated"
        ? `${p.action} on ${host.name} did not finish: escalated, see the issue.`
        : message?.text;

  return (
    <section class="panel protocol" aria-labelledby={`${p.id}-title`} data-testid={`protocol-${p.id}`}>
      <h2 id={`${p.id}-title`}>{p.title}</h2>
      <p>{p.what}</p>
      <Confirmed
        id={p.id}
        host={host.name}
        canRun={canRun}
        busy={busy}
        ready={reason.trim() !== "" && (!p.service || target !== "")}
        onRun={run}
      >
        {p.service && (
          <>
            <label for={`target-${p.id}`}>Service</label>
            <select
              id={`target-${p.id}`}
              value={target}
              disabled={!canRun}
              onChange={(e) => setTarget(e.currentTarget.value)}
            >
              <option value="">Choose a service…</option>
              <Options choices={services} />
            </select>
          </>
        )}
        <label for={`reason-${p.id}`}>Reason</label>
        <input
          id={`reason-${p.id}`}
          class="reason-input"
          maxLength={500}
          value={reason}
          disabled={!canRun}
          placeholder="why, for the record"
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </Confirmed>
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status">
        {text}{" "}
        {message?.issue && <Link href={`/issues/${encodeURIComponent(message.issue)}`}>Follow it</Link>}
      </p>
    </section>
  );
}
