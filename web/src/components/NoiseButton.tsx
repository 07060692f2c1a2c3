import { useCallback, useState } from "preact/hooks";
import { getNoise, markNoise, messageOf, undoNoise } from "../api";
import type { NoiseMark } from "../types";
import { usePoll } from "../usePoll";

/**
 * "This was noise": the operator's word raises the finding's rule's bar on this host (a longer
 * hold, a wider band), and the next finding's explanation says so. Undo lowers it again.
 */
export function NoiseButton({ issueId }: { issueId: string }) {
  const poll = usePoll(
    useCallback((s: AbortSignal) => getNoise(issueId, s), [issueId]),
    60_000,
  );
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const mark = poll.data;

  const act = async (what: () => Promise<NoiseMark>, done: (m: NoiseMark) => string) => {
    setBusy(true);
    setMessage(null);
    try {
      const m = await what();
      poll.set(m);
      setMessage({ ok: true, text: done(m) });
    } catch (err) {
      setMessage({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="noise-title" data-testid="noise">
      <h2 id="noise-title">Was this noise?</h2>
      {!mark ? (
        <p class="note">{poll.error ? `Could not load: ${poll.error.message}` : "Loading…"}</p>
      ) : mark.noise ? (
        <p class="control">
          <span data-testid="noise-marked">
            Marked as noise by {mark.markedBy}: “{mark.reason}”. The rule's bar on this host is raised by{" "}
            {mark.hostRuleMarks} mark{mark.hostRuleMarks === 1 ? "" : "s"}.
          </span>{" "}
          <button
            type="button"
            class="btn small"
            data-testid="noise-undo"
            disabled={busy}
            onClick={() =>
              act(
                () => undoNoise(issueId),
                (m) => `Undone: ${m.hostRuleMarks} mark(s) left on this rule here.`,
              )
            }
          >
            Undo
          </button>
        </p>
      ) : (
        <form
          class="control"
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              () => markNoise(issueId, reason.trim()),
              (m) =>
                `Marked: ${m.rule} now waits longer (and, for a band, wants a wider excursion) on this host.`,
            );
          }}
        >
          <label for="noise-reason">Mark as noise, because</label>
          <input
            id="noise-reason"
            required
            maxLength={500}
            value={reason}
            placeholder="e.g. the nightly backup, expected"
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <button type="submit" class="btn" data-testid="noise-mark" disabled={busy || reason.trim() === ""}>
            Mark as noise
          </button>
        </form>
      )}
      {message && (
        <p class={message.ok ? "ok small" : "error small"} role="status">
          {message.text}
        </p>
      )}
    </section>
  );
}
