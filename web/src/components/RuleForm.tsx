import { ACTION_TARGETS } from "../../../agent/engine/targets";
import { SEVERITIES } from "../../../agent/engine/types";
import type { Rule } from "../types";
import { Options } from "./Options";

/**
 * A rule as a form: the fields its kind needs, metrics picked from what the hosts report, actions
 * from the known ones. It edits the same object as the JSON view, so anything it has no field for
 * (a target, a webhook action) stays as the JSON view set it.
 */
type Field = { key: string; label: string; step?: string; hint?: string };
const KIND_FIELDS: Record<string, Field[]> = {
  threshold: [
    { key: "threshold", label: "Threshold" },
    { key: "clearThreshold", label: "Clears at", hint: "optional: the level it must cross back" },
  ],
  service: [],
  forecast: [
    { key: "limit", label: "Limit", hint: "default: 100 for a percentage" },
    { key: "horizonSeconds", label: "Warn this many seconds ahead", step: "60" },
    { key: "windowSeconds", label: "Trend over (seconds)", step: "60" },
  ],
  growth: [
    { key: "growthRate", label: "Growth (% per hour)", step: "0.1" },
    { key: "windowSeconds", label: "Over (seconds)", step: "60" },
  ],
  baseline: [
    { key: "quantile", label: "Baseline quantile (0–1)", step: "0.01" },
    { key: "factor", label: "Times the baseline", step: "0.1", hint: "optional" },
  ],
  anomaly: [
    { key: "minScore", label: "Anomaly score at least (0–1)", step: "0.01" },
    { key: "holdSamples", label: "For samples in a row", step: "1" },
  ],
};
export const RULE_KINDS = Object.keys(KIND_FIELDS);
const ACTIONS = ["notify", ...Object.keys(ACTION_TARGETS)];

interface Props {
  rule: Rule;
  onChange: (rule: Rule) => void;
  /** Metric names the hosts report now. */
  metrics: string[];
  services: string[];
  readOnly: boolean;
  isNew: boolean;
}

export function RuleForm({ rule, onChange, metrics, services, readOnly, isNew }: Props) {
  const set = (key: string, value: unknown) => {
    const next = { ...rule, [key]: value } as Rule;
    if (value === undefined || value === "") delete next[key];
    onChange(next);
  };
  const num = (key: string) => (e: { currentTarget: HTMLInputElement }) => {
    const v = e.currentTarget.value;
    set(key, v === "" ? undefined : Number(v));
  };
  const kind = rule.kind in KIND_FIELDS ? rule.kind : "threshold";
  const metric = rule.metric ?? "";
  const unreported = metric !== "" && !metric.includes("*") && !metrics.includes(metric);
  const actions = rule.actions ?? [];
  const toggle = (a: string) =>
    set("actions", actions.includes(a) ? actions.filter((x) => x !== a) : [...actions, a]);

  return (
    <fieldset class="rule-form" disabled={readOnly} data-testid="rule-form">
      <div class="filters">
        <label>
          Id
          <input value={rule.id} readOnly={!isNew} onInput={(e) => set("id", e.currentTarget.value)} />
        </label>
        <label>
          Name
          <input value={rule.name ?? ""} onInput={(e) => set("name", e.currentTarget.value)} />
        </label>
        <label>
          Kind
          <select value={kind} data-testid="rule-kind" onChange={(e) => set("kind", e.currentTarget.value)}>
            <Options choices={RULE_KINDS} />
          </select>
        </label>
        <label>
          Severity
          <select value={rule.severity} onChange={(e) => set("severity", e.currentTarget.value)}>
            <Options choices={SEVERITIES} />
          </select>
        </label>
      </div>
      <div class="filters">
        {kind === "service" ? (
          <label>
            Service
            <select value={rule.service ?? ""} onChange={(e) => set("service", e.currentTarget.value)}>
              <option value="">choose…</option>
              <option value="*">any configured service (*)</option>
              <Options choices={services} />
            </select>
          </label>
        ) : (
          <label>
            Metric
            <select
              value={metric}
              data-testid="rule-metric"
              onChange={(e) => set("metric", e.currentTarget.value)}
            >
              <option value="">choose a metric the hosts report…</option>
              {unreported && <option value={metric}>{metric} (no host reports it)</option>}
              <Options choices={metrics} />
            </select>
          </label>
        )}
        {kind === "threshold" && (
          <label>
            When
            <select value={rule.op ?? "above"} onChange={(e) => set("op", e.currentTarget.value)}>
              <option value="above">above</option>
              <option value="below">below</option>
            </select>
          </label>
        )}
        {KIND_FIELDS[kind].map((f) => (
          <label key={f.key}>
            {f.label}
            <input
              type="number"
              step={f.step ?? "any"}
              value={(rule[f.key] as number | undefined) ?? ""}
              placeholder={f.hint}
              onInput={num(f.key)}
            />
          </label>
        ))}
        <label>
          Held for (seconds)
          <input
            type="number"
            min="0"
            step="1"
            value={rule.durationSeconds ?? 0}
            onInput={num("durationSeconds")}
          />
        </label>
      </div>
      {unreported && (
        <p class="stale small" role="status" data-testid="rule-metric-unreported">
          No host reports <code>{metric}</code>: this rule would never fire. Pick one the hosts report.
        </p>
      )}
      <fieldset class="actions-pick">
        <legend>Actions, in order (notify alone: the issue's notification, no recovery)</legend>
        {ACTIONS.map((a) => (
          <label key={a} class="check">
            <input type="checkbox" checked={actions.includes(a)} onChange={() => toggle(a)} /> {a}
          </label>
        ))}
        {actions
          .filter((a) => !ACTIONS.includes(a))
          .map((a) => (
            <span key={a} class="muted small">
              {" "}
              {a} (set in the JSON view)
            </span>
          ))}
      </fieldset>
      <label class="check">
        <input
          type="checkbox"
          checked={rule.enabled !== false}
          onChange={(e) => set("enabled", e.currentTarget.checked)}
        />{" "}
        Enabled
      </label>
    </fieldset>
  );
}
