import { useState } from "preact/hooks";
import { ApiError, backtestRule, getStatus, messageOf, saveRule } from "../api";
import type { BacktestResult, FieldIssue, Rule } from "../types";
import { usePoll } from "../usePoll";
import { RuleForm } from "./RuleForm";
import { BACKTEST_RANGES, BacktestPicker } from "./rule-editor/BacktestPicker";
import { BacktestPreview } from "./rule-editor/BacktestPreview";
import { type EditMode, ModeSwitch } from "./rule-editor/ModeSwitch";
import { RuleJson } from "./rule-editor/RuleJson";
import { RuleProblems } from "./rule-editor/RuleProblems";
import { parseRule, ruleText } from "./rule-editor/rule-text";

interface Props {
  rule: Rule;
  /** A rule that does not exist yet: saving creates it. */
  isNew?: boolean;
  canWrite: boolean;
  onClose: () => void;
  onSaved: (rule: Rule) => void;
}

/**
 * A rule as a form per kind, or as editable JSON for experts (every field the engine knows,
 * including future ones); both edit the same text. Checked as you type, with the API's
 * validation messages listed by field, and a backtest over a host's stored samples before
 * anything is saved, which warns when none of them has the rule's metric.
 */
export function RuleEditor({ rule, isNew = false, canWrite, onClose, onSaved }: Props) {
  const [text, setText] = useState(() => ruleText(rule));
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [result, setResult] = useState<BacktestResult | null>(null);
  const [busy, setBusy] = useState<"save" | "backtest" | null>(null);
  const [host, setHost] = useState("");
  const [range, setRange] = useState(BACKTEST_RANGES[1].ms);
  const [mode, setMode] = useState<EditMode>("form");
  const hosts = usePoll(getStatus, 60_000).data?.hosts ?? [];
  const hostId = host || hosts[0]?.id || "";
  // what the hosts report now: the form offers these, so a rule watches something real
  const metrics = [...new Set(hosts.flatMap((h) => Object.keys(h.metrics ?? {})))].sort();
  const services = [...new Set(hosts.flatMap((h) => h.services.map((s) => s.name)))].sort();

  const { parsed, parseError } = parseRule(text);

  // No service history is stored, so service rules cannot be replayed.
  const noHistory = parsed?.kind === "service";

  const fail = (verb: string, err: unknown) => {
    setIssues(err instanceof ApiError ? err.issues : []);
    setMessage({ ok: false, text: `${verb} failed: ${messageOf(err)}` });
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
      setText(ruleText(saved));
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
        <ModeSwitch mode={mode} formAvailable={parsed !== null} onMode={setMode} />
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
        <RuleJson
          text={text}
          hidden={mode === "form" && parsed !== null}
          readOnly={!canWrite}
          invalid={Boolean(parseError || issues.length)}
          onInput={(next) => {
            setText(next);
            setMessage(null);
          }}
        />
        <RuleProblems parseError={parseError} issues={issues} />
        <div class="filters">
          <BacktestPicker hosts={hosts} hostId={hostId} onHost={setHost} range={range} onRange={setRange} />
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
      {result && <BacktestPreview result={result} />}
    </section>
  );
}
