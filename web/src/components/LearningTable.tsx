import { getLearning } from "../api";
import { formatPercent, formatSeconds } from "../format";
import { usePoll } from "../usePoll";
import { ScrollTable } from "./ScrollTable";

/**
 * What the planner has learned (`GET /api/v1/learning`): per rule and action, how often it
 * worked and how fast. Actions with enough attempts are tried best first.
 */
export function LearningTable() {
  const learning = usePoll(getLearning, 60_000);
  const items = learning.data?.items ?? [];
  return (
    <section class="panel" aria-labelledby="learning-title" data-testid="learning">
      <div class="panel-head">
        <h2 id="learning-title">What worked</h2>
        {learning.data && <span class="count">{items.length}</span>}
      </div>
      {learning.loading ? (
        <p class="note">Loading…</p>
      ) : !learning.data ? (
        <p class="error-text" role="alert">
          Could not load what was learned: {learning.error?.message}
        </p>
      ) : items.length === 0 ? (
        <p class="empty">No finished recovery attempts yet.</p>
      ) : (
        <>
          <p class="muted small">
            Success means the action ran and the condition cleared. Once an action has {items[0].minAttempts}{" "}
            or more attempts, the most successful untried one goes first.
          </p>
          <ScrollTable label="Learned success rates">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Action</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col" class="num">
                  Success rate
                </th>
                <th scope="col" class="num">
                  Median time to recover
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((l) => (
                <tr key={`${l.rule}|${l.action}`} data-testid="learning-row">
                  <th scope="row">{l.rule}</th>
                  <td>{l.action}</td>
                  <td class="num">{l.attempts}</td>
                  <td class="num" title={`${l.succeeded} of ${l.attempts} succeeded`}>
                    {formatPercent(l.successRate * 100)}
                  </td>
                  <td class="num">{formatSeconds(l.medianSecondsToRecover)}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </>
      )}
    </section>
  );
}
