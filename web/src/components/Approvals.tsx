import { useCallback, useState } from "preact/hooks";
import { ApiError, approveCommand, getAwaitingApproval, messageOf, rejectCommand } from "../api";
import { formatAbsolute, parseTime } from "../format";
import { useLive } from "../live";
import { Link } from "../router";
import type { Command } from "../types";
import { ISSUE_DATA, usePoll } from "../usePoll";
import { Time } from "./Time";

interface Props {
  /** Only this issue's waiting commands (the issue page); all of them otherwise. */
  issueId?: string;
  /** After an approve or reject, so the page around can refresh (the issue's status changes). */
  onChanged?: () => void;
  empty?: string;
}

/**
 * Recovery commands waiting for a human (`GET /api/v1/commands?status=awaiting_approval`), each
 * with Approve and Reject (with an optional reason) for admin and operator sessions, and its expiry.
 */
export function Approvals({ issueId, onChanged, empty = "Nothing is waiting for approval." }: Props) {
  const { canApprove, intervalMs } = useLive();
  const poll = usePoll(getAwaitingApproval, intervalMs, ISSUE_DATA);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const items = (poll.data?.items ?? []).filter((c) => !issueId || c.issueId === issueId);

  const act = useCallback(
    async (c: Command, what: "approve" | "reject", reason?: string) => {
      setBusy(c.id);
      setMessage(null);
      const label = [c.action, c.target].filter(Boolean).join(" ");
      try {
        if (what === "approve") {
          await approveCommand(c.id);
          setMessage({ ok: true, text: `Approved: ${label} is queued on ${c.host ?? c.hostId}.` });
        } else {
          await rejectCommand(c.id, reason);
          setMessage({
            ok: true,
            text: `Rejected: ${label} on ${c.host ?? c.hostId}; the issue is escalated.`,
          });
        }
      } catch (err) {
        const text =
          err instanceof ApiError && err.status === 409
            ? `${err.message} (already handled?)`
            : messageOf(err);
        setMessage({ ok: false, text: `Could not ${what} ${label}: ${text}` });
      } finally {
        setBusy(null);
        poll.refresh();
        onChanged?.();
      }
    },
    [poll.refresh, onChanged],
  );

  if (poll.loading) return <p class="note">Loading…</p>;
  if (!poll.data)
    return (
      <div class="error-box" role="alert">
        <p>Could not load the waiting actions: {poll.error?.message}</p>
        <button type="button" class="btn small" onClick={poll.refresh}>
          Retry
        </button>
      </div>
    );

  return (
    <div class="approvals">
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status" aria-live="polite">
        {message?.text}
      </p>
      {items.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <ul class="approval-list">
          {items.map((c) => {
            const label = [c.action, c.target].filter(Boolean).join(" ");
            const reasonId = `reject-reason-${c.id}`;
            return (
              <li key={c.id} class="approval" data-testid="approval" data-command-id={c.id}>
                <div class="grow">
                  <strong>{label}</strong> on{" "}
                  <Link href={`/hosts/${encodeURIComponent(c.hostId)}`}>{c.host ?? c.hostId}</Link>
                  {!issueId && c.issueId && (
                    <>
                      {" "}
                      · <Link href={`/issues/${encodeURIComponent(c.issueId)}`}>issue</Link>
                    </>
                  )}
                  <span class="muted small block">
                    requested{c.requestedBy ? ` by ${c.requestedBy}` : ""} <Time iso={c.createdAt} /> ·{" "}
                    <Expiry iso={c.expiresAt} />
                  </span>
                  {c.approval === "second" && (
                    <span class="small block" data-testid="second-approval">
                      {selfAsked(c)
                        ? "Needs a second person's approval: you asked for it, so another token must approve."
                        : "Needs a second person's approval: anyone but whoever asked for it."}
                    </span>
                  )}
                </div>
                {canApprove && (
                  <form
                    class="control"
                    aria-label={`Approve or reject ${label}`}
                    onSubmit={(e) => {
                      e.preventDefault();
                      void act(c, "reject", reasons[c.id]);
                    }}
                  >
                    <button
                      type="button"
                      class="btn primary"
                      data-testid="approve"
                      disabled={busy !== null || selfAsked(c)}
                      onClick={() => act(c, "approve")}
                    >
                      {busy === c.id ? "Working…" : "Approve"}
                    </button>
                    <label class="visually-hidden" for={reasonId}>
                      Reason for rejecting {label}
                    </label>
                    <input
                      id={reasonId}
                      data-testid="reject-reason"
                      placeholder="Reason (optional)"
                      maxLength={500}
                      autoComplete="off"
                      value={reasons[c.id] ?? ""}
                      onInput={(e) => setReasons({ ...reasons, [c.id]: e.currentTarget.value })}
                    />
                    <button type="submit" class="btn danger" data-testid="reject" disabled={busy !== null}>
                      Reject
                    </button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {!canApprove && items.length > 0 && (
        <p class="muted small">Only admin and operator sessions can approve or reject.</p>
      )}
    </div>
  );
}

/** "expires in 12 min" (or "expired"), with the exact time on hover. */
function Expiry({ iso }: { iso: string }) {
  const d = parseTime(iso);
  if (!d) return null;
  const ms = d.getTime() - Date.now();
  return (
    <time dateTime={d.toISOString()} title={formatAbsolute(d)} data-testid="approval-expiry">
      {ms <= 0 ? "expired" : `expires in ${Math.max(1, Math.ceil(ms / 60_000))} min`}
    </time>
  );
}

/** The server refuses this session's approval of what it asked for itself (a second person is needed). */
const selfAsked = (c: Command) => c.approval === "second" && c.requestedByYou === true;
