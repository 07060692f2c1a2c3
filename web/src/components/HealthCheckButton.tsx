import { useState } from "preact/hooks";
import { messageOf, runHealthCheck } from "../api";
import { formatAbsolute, formatScore, humanize, parseTime } from "../format";
import type { HealthCheckResult } from "../types";

/** Runs an on-demand health check and says what it found. */
export function HealthCheckButton({ canWrite, onDone }: { canWrite: boolean; onDone: () => void }) {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<HealthCheckResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setPending(true);
    setError(null);
    try {
      setResult(await runHealthCheck());
      onDone();
    } catch (err) {
      setResult(null);
      setError(messageOf(err));
    } finally {
      setPending(false);
    }
  };

  const at = parseTime(result?.checkedAt);
  const n = result?.issues.length ?? 0;
  return (
    <div class="control">
      <button
        type="button"
        class="btn"
        data-testid="health-check-button"
        disabled={!canWrite || pending}
        title={canWrite ? undefined : "Read-only sessions cannot run checks"}
        onClick={run}
      >
        {pending ? "Checking…" : "Run health check"}
      </button>
      <span class="small" role="status" data-testid="health-check-result">
        {error ? (
          <span class="error-text">Health check failed: {error}</span>
        ) : result ? (
          <>
            Check: <strong>{humanize(result.overallStatus)}</strong>, score {formatScore(result.healthScore)},{" "}
            {n === 1 ? "1 issue" : `${n} issues`}
            {at && <span class="muted"> at {formatAbsolute(at)}</span>}
          </>
        ) : null}
      </span>
    </div>
  );
}
