import { useState } from "preact/hooks";
import { messageOf, resetGuardrail } from "../api";
import type { Issue, IssueDetail } from "../types";

/** The hold's text when a circuit breaker or a crash loop escalated the issue (the plan's reason). */
export function guardrailHold(issue: Issue): string | null {
  const e = issue.explanation;
  const why = typeof e === "object" && e?.plan ? e.plan.why : null;
  if (issue.status !== "escalated" || !why) return null;
  return why.startsWith("circuit breaker") || why.startsWith("crash loop") ? why : null;
}

/**
 * What holds the engine back from this issue: which failures tripped the guardrail, when it lets
 * go by itself, and (for admins) a reset that lets the engine try again now.
 */
export function GuardrailHold({
  issue,
  hold,
  canReset,
  onReset,
}: {
  issue: Issue;
  hold: string;
  canReset: boolean;
  onReset: (issue: IssueDetail) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const kind = hold.startsWith("crash loop") ? "crash-loop hold" : "circuit breaker";
  const reset = async () => {
    setBusy(true);
    setMessage(null);
    try {
      onReset(await resetGuardrail(issue.id));
      setMessage({
        ok: true,
        text: `The ${kind} is reset: the engine tries again at the host's next report.`,
      });
    } catch (err) {
      setMessage({ ok: false, text: `Reset failed: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel attention" aria-labelledby="hold-title" data-testid="guardrail-hold">
      <h2 id="hold-title">Held by the {kind}</h2>
      <p class="small" data-testid="guardrail-hold-text">
        {hold}.
      </p>
      {canReset ? (
        <button type="button" class="btn" data-testid="guardrail-reset" disabled={busy} onClick={reset}>
          {busy ? "Resetting…" : `Reset the ${kind}`}
        </button>
      ) : (
        <p class="muted small">An admin can reset it; the reset is written to the audit log.</p>
      )}
      <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status">
        {message?.text}
      </p>
    </section>
  );
}
