import { formatScore, humanize } from "../format";
import { Link } from "../router";
import type { HealingStatus } from "../types";
import { Time } from "./Time";

/**
 * The overall status line. Only the status and score live in the aria-live region, so a screen
 * reader hears a change of state, not every 5-second refresh.
 */
export function StatusSummary({
  status,
  updatedAt,
}: {
  status: HealingStatus | undefined;
  updatedAt?: number;
}) {
  const overall = status?.overallStatus;
  const awaiting = status?.awaitingApproval ?? 0;
  const stopped = (status?.hosts ?? []).flatMap((h) => h.services.filter((s) => s.stopped)).length;
  return (
    <div class="summary">
      <p class="overall" data-testid="overall-status" role="status" aria-live="polite" aria-atomic="true">
        {overall ? (
          <>
            <span class={`dot tone-${overall}`} aria-hidden="true" />
            <span class="overall-word">{humanize(overall)}</span>{" "}
            <span class="score">
              Health score <strong>{formatScore(status?.healthScore)}</strong>
              {status?.healthScore != null && <span class="muted"> / 100</span>}
            </span>
          </>
        ) : (
          <span class="muted">Status unknown</span>
        )}
      </p>
      {(awaiting > 0 || stopped > 0) && (
        <p class="states">
          {awaiting > 0 && (
            <Link
              href="/issues?status=awaiting_approval"
              class="badge tone-issue-awaiting_approval"
              data-testid="state-awaiting"
            >
              {awaiting} awaiting approval
            </Link>
          )}{" "}
          {stopped > 0 && (
            <span class="badge tone-run-pending" data-testid="state-stopped">
              {stopped} {stopped === 1 ? "service" : "services"} stopped on purpose
            </span>
          )}
        </p>
      )}
      {status && (
        <p class="muted small">
          Last check <Time iso={status.lastCheck} />
          {updatedAt && (
            <>
              {" · "}updated <Time iso={new Date(updatedAt).toISOString()} />
            </>
          )}
        </p>
      )}
    </div>
  );
}
