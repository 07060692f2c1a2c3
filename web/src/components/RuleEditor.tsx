import { useState } from "preact/hooks";
import { ApiError, backtestRule, getStatus, saveRule } from "../api";
import type { BacktestResult, FieldIssue, Rule } from "../types";
import { usePoll } from "../usePoll";
import { BacktestView } from "./BacktestView";
import { hostChoices, Options } from "./Options";
import { RuleForm } from "./RuleForm";

interface Props {
  rule: Rule;
  /** A rule that does not exist yet: saving creates it. */
  isNew?: boolean;
  canWrite: boolean;
  onClose: () => void;
  onSaved: (rule: Rule) => void;
}

const BACKTEST_RANGES = [
  { label: "last hour", ms: 3600_000 },
  { label: "last 24 hours", ms: 24 * 3600_000 },
  { label: "last 7 days", ms: 7 * 24 * 3600_000 },
];

/** Fields the API echoes but ignores on input: left out of the editor so they do not mislead. */
const editable = (rule: Rule) => {
  const { builtin: _b, overridden: _o, condition: _c, ...rest } = rule;
  return rest;
};

/**
 * A rule as a form per kind, or as editable JSON for experts (every field the engine knows,
 * including future ones); both edit the same text. Checked as you type, with the API's
 * validation messages listed by field, and a backtest over a host's stored samples before
 * anything is saved, which warns when none of them has the rule's metric.
 */
export function RuleEditor({ rule, isNew = false, canWrite, onClose, onSaved }: Props) {
  const [text, setText] = useState(() => JSON.stringify(editable(rule), null, 2));
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [result, setResult] = useState<BacktestResult | null>(null);
  const [busy, setBusy] = useState<"save" | "backtest" | null>(null);
  const [host, setHost] = useState("");
  const [range, setRange] = useState(BACKTEST_RANGES[1].ms);
  const [mode, setMode] = useState<"form" | "json">("form");
  const hosts = usePoll(getStatus, 60_000).data?.hosts ?? [];
  const hostId = host || hosts[0]?.id || "";
  // what the hosts report now: the form offers these, so a rule watches something real
  const metrics = [...new Set(hosts.flatMap((h) => Object.keys(h.metrics ?? {})))].sort();
  const services = [...new Set(hosts.flatMap((h) => h.services.map((s) => s.name)))].sort();

  let parsed: Rule | null = null;
  let parseError: string | null = null;
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) parseError = "A rule is a JSON object.";
    else parsed = v as Rule;
  } catch (err) {
    parseError = err instanceof Error ? err.message : String(err);
  }

  // No service history is stored, so service rules cannot be replayed.
  const noHistory = parsed?.kind === "service";

  const fail = (verb: string, err: unknown) => {
    setIssues(err instanceof ApiError ? err.issues : []);
    setMessage({ ok: false, text: `${verb} failed: ${err instanceof Error ? err.message : String(err)}` });
  };

  const backtest = async () => {
    if (!parsed || !hostId) return;
    setBusy("backtest");
    setIssues([]);
    setMessage(null);
    try {
      const from = new Date(Date.now() - range).toISOString();
      setResult(await backtestRule({ rule: parsed, host: hostId, from }));
    } catch (err) {
      setResult(null);
      fail("Backtest", err);
    } finally {
      setBusy(null);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (!parsed) return;
    setBusy("save");
    setIssues([]);
    setMessage(null);
    try {
      const saved = await saveRule(parsed, isNew);
      setText(JSON.stringify(editable(saved), null, 2));
      setMessage({ ok: true, text: "Rule saved. Hosts are judged by it from their next report." });
      onSaved(saved);
    } catch (err) {
      fail("Saving", err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="panel" aria-labelledby="rule-editor-title" data-testid="rule-editor">
      <div class="panel-head">
        <h2 id="rule-editor-title">
          {isNew ? "New rule" : `${canWrite ? "Edit" : "View"} rule: ${rule.name}`}
          {rule.builtin && (
            <span class="muted small"> (built-in{rule.overridden ? ", overridden" : ""})</span>
          )}
        </h2>
        <button type="button" class="btn small push" onClick={onClose}>
          Close
        </button>
      </div>
      <form onSubmit={save}>
        <fieldset class="segmented">
          <legend class="visually-hidden">Edit as</legend>
          {(["form", "json"] as const).map((m) => (
            <button
              key={m}
              type="button"
              class="btn small"
              aria-pressed={mode === m}
              data-testid={`rule-mode-${m}`}
              disabled={m === "form" && !parsed}
              onClick={() => setMode(m)}
            >
              {m === "form" ? "Form" : "JSON"}
            </button>
          ))}
        </fieldset>
        {mode === "form" && parsed ? (
          <RuleForm
            rule={parsed}
            isNew={isNew}
            readOnly={!canWrite}
            metrics={metrics}
            services={services}
            onChange={(next) => {
              setText(JSON.stringify(next, null, 2));
              setMessage(null);
              setResult(null);
            }}
          />
        ) : (
          <label for="rule-json">Rule (JSON)</label>
        )}
        <textarea
          hidden={mode === "form" && parsed !== null}
          id="rule-json"
          class="code"
          data-testid="rule-json"
          rows={Math.min(24, text.split("\n").length + 1)}
          spellcheck={false}
          readOnly={!canWrite}
          value={text}
          aria-invalid={parseError || issues.length ? true : undefined}
          aria-describedby="rule-problems"
          onInput={(e) => {
            setText(e.currentTarget.value);
            setMessage(null);
          }}
        />
        <div id="rule-problems" data-testid="rule-problems">
          {parseError && (
            <p class="error-text small" role="alert">
              Not valid JSON: {parseError}
            </p>
          )}
          {issues.length > 0 && (
            <ul class="error-text small" role="alert">
              {issues.map((i) => (
                <li key={i.path + i.message}>
                  <code>{i.path}</code>: {i.message}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div class="filters">
          <label>
            Backtest on host
            <select
              value={hostId}
              onChange={(e) => setHost(e.currentTarget.value)}
              data-testid="backtest-host"
            >
              {hosts.length === 0 && <option value="">no hosts yet</option>}
              <Options choices={hostChoices(hosts)} />
            </select>
          </label>
          <label>
            Over the
            <select value={range} onChange={(e) => setRange(Number(e.currentTarget.value))}>
              {BACKTEST_RANGES.map((r) => (
                <option key={r.ms} value={r.ms}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            class="btn"
            data-testid="rule-backtest"
            disabled={!parsed || !hostId || noHistory || busy !== null}
            title={noHistory ? "Service rules cannot be backtested: no service history is kept" : undefined}
            onClick={backtest}
          >
            {busy === "backtest" ? "Backtesting…" : "Backtest"}
          </button>
          {canWrite && (
            <button
              type="submit"
              class="btn primary"
              data-testid="rule-save"
              disabled={!parsed || busy !== null}
            >
              {busy === "save" ? "Saving…" : isNew ? "Create rule" : "Save rule"}
            </button>
          )}
        </div>
        {noHistory && (
          <p class="muted small">Service rules cannot be backtested: no service history is kept.</p>
        )}
        <p
          class={`small live ${message?.ok === false ? "error-text" : "ok-text"}`}
          role="status"
          data-testid="rule-message"
        >
          {message?.text}
        </p>
      </form>
      {result && (
        <div aria-live="polite">
          <h3>Backtest preview</h3>
          {result.warning && (
            <p class="stale" role="alert" data-testid="backtest-warning">
              {result.warning}. “Fired 0 times” means nothing here.
            </p>
          )}
          <BacktestView result={result} />
        </div>
      )}
    </section>
  );
}
