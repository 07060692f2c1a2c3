import type { Prediction } from "../types";

/**
 * Recovery success prediction: each planned action's learned chance of healing this rule's issues
 * and the finished attempts behind it. With too few attempts the planner keeps the rule's order.
 */
export function PredictionList({ prediction }: { prediction: Prediction[] }) {
  if (prediction.length === 0) return null;
  return (
    <div data-testid="prediction">
      <p class="small">Planned actions, in order, with their learned chance of success:</p>
      <ol class="plain prediction">
        {prediction.map((p) => (
          <li key={p.action} data-testid="prediction-row">
            <strong>{p.action}</strong>{" "}
            <span title="(successes + 1) / (attempts + 2) over this rule's finished attempts">
              {Math.round(p.successProbability * 100)} %
            </span>{" "}
            <span class="muted small">
              from {p.attempts} attempt{p.attempts === 1 ? "" : "s"} ({p.succeeded} healed)
              {!p.learned && " · too few to reorder the plan yet"}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
