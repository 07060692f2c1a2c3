import type { BacktestResult } from "../../types";
import { BacktestView } from "../BacktestView";

/** A backtest's outcome, with the API's warning when the host has none of the rule's metric. */
export function BacktestPreview({ result }: { result: BacktestResult }) {
  return (
    <div aria-live="polite">
      <h3>Backtest preview</h3>
      {result.warning && (
        <p class="stale" role="alert" data-testid="backtest-warning">
          {result.warning}. “Fired 0 times” means nothing here.
        </p>
      )}
      <BacktestView result={result} />
    </div>
  );
}
