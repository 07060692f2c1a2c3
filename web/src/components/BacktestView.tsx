import { formatSeconds } from "../format";
import type { BacktestResult } from "../types";
import { ScrollTable } from "./ScrollTable";
import { Time } from "./Time";

/** When the rule would have fired over the host's stored samples, and for how long in all. */
export function BacktestView({ result: r }: { result: BacktestResult }) {
  return (
    <div class="backtest" data-testid="backtest-result">
      <p data-testid="backtest-summary">
        Over <strong>{r.samples}</strong> sample{r.samples === 1 ? "" : "s"}
        {r.from && (
          <>
            {" "}
            from <Time iso={r.from} relative={false} />
          </>
        )}
        , the rule would have fired <strong>{r.firings.length}</strong> time
        {r.firings.length === 1 ? "" : "s"}
        {r.firings.length > 0 && <> for {formatSeconds(r.totalFiringSeconds)} in all</>}.
      </p>
      {r.truncated && <p class="stale">Only the oldest samples of the range were read; narrow the range.</p>}
      {r.firings.length > 0 && (
        <ScrollTable label="Backtest firings">
          <thead>
            <tr>
              <th scope="col">Opened</th>
              <th scope="col">Cleared</th>
              <th scope="col" class="num">
                Duration
              </th>
              <th scope="col" class="num">
                Peak
              </th>
              <th scope="col">Target</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {r.firings.map((f) => (
              <tr key={`${f.target}-${f.openedAt}`} data-testid="backtest-firing">
                <td>
                  <Time iso={f.openedAt} relative={false} />
                </td>
                <td>{f.clearedAt ? <Time iso={f.clearedAt} relative={false} /> : "still firing"}</td>
                <td class="num">{formatSeconds(f.durationSeconds)}</td>
                <td class="num">{f.peak == null ? "—" : Math.round(f.peak * 100) / 100}</td>
                <td>{f.target || <span class="muted">—</span>}</td>
                <td class="wrap">{f.summary}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </div>
  );
}
