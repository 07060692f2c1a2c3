import { useState } from "preact/hooks";
import { ApiError, deleteRule, getRules, getScopes, setRuleEnabled } from "../api";
import { Badge } from "../components/Badge";
import { LearningTable } from "../components/LearningTable";
import { RuleEditor } from "../components/RuleEditor";
import { scopedBy } from "../components/ScopeView";
import { ScrollTable } from "../components/ScrollTable";
import { useLive } from "../live";
import type { Rule } from "../types";
import { usePoll } from "../usePoll";

const TEMPLATE: Rule = {
  id: "my_rule",
  name: "My rule",
  kind: "threshold",
  metric: "cpu",
  op: "above",
  threshold: 85,
  durationSeconds: 120,
  severity: "medium",
  actions: [],
  enabled: true,
};

/** The detection rules: a list, and an editor with validation and a backtest preview. */
export function Rules() {
  const { isAdmin } = useLive();
  const rules = usePoll(getRules, 60_000);
  const scopes = usePoll(getScopes, 60_000);
  const changedBy = scopedBy(scopes.data?.items ?? []);
  const [editing, setEditing] = useState<{ rule: Rule; isNew: boolean; session: number } | null>(null);
  // A new editor per "Edit"/"New" press; saving keeps the same one (and its messages).
  const open = (rule: Rule, isNew: boolean) => setEditing({ rule, isNew, session: Date.now() });
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const missing =
    rules.error instanceof ApiError && (rules.error.status === 404 || rules.error.status === 405);

  const act = async (r: Rule, what: () => Promise<unknown>, done: string) => {
    setBusy(r.id);
    setMessage(null);
    try {
      await what();
      setMessage({ ok: true, text: done });
      rules.refresh();
    } catch (err) {
      setMessage({ ok: false, text: `${r.name}: ${err instanceof Error ? err.message : String(err)}` });
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>Rules</h1>
        {isAdmin && !missing && rules.data && (
          <button type="button" class="btn" onClick={() => open(TEMPLATE, true)}>
            New rule
          </button>
        )}
      </div>
      {rules.loading ? (
        <p class="note">Loading…</p>
      ) : missing ? (
        <section class="panel empty" data-testid="rules-unavailable">
          <h2>Rules API not available</h2>
          <p>
            This server does not offer the rules API yet. Rules can still be set in the agent's configuration.
          </p>
        </section>
      ) : !rules.data ? (
        <div class="error-box" role="alert">
          <p>Could not load rules: {rules.error?.message}</p>
          <button type="button" class="btn small" onClick={rules.refresh}>
            Retry
          </button>
        </div>
      ) : (
        <>
          {editing && (
            <RuleEditor
              key={editing.session}
              rule={editing.rule}
              isNew={editing.isNew}
              canWrite={isAdmin}
              onClose={() => setEditing(null)}
              onSaved={(r) => {
                setEditing({ ...editing, rule: r, isNew: false });
                rules.refresh();
              }}
            />
          )}
          <section class="panel" aria-labelledby="rules-title">
            <div class="panel-head">
              <h2 id="rules-title">All rules</h2>
              <span class="count">{rules.data.items.length}</span>
            </div>
            <p class={`small live ${message?.ok === false ? "error-text" : ""}`} role="status">
              {message?.text}
            </p>
            {rules.data.items.length === 0 ? (
              <p class="empty">No rules defined. Create one with “New rule”.</p>
            ) : (
              <ScrollTable
                label="Rules"
                columns={["Rule", "Condition", "Severity", "Actions", "State"]}
                actions="Manage"
              >
                {rules.data.items.map((r) => (
                  <tr key={r.id} data-testid="rule-row" data-rule-id={r.id}>
                    <th scope="row">
                      {r.name}
                      <span class="muted small block">
                        {r.id} · {r.kind}
                        {r.builtin ? (r.overridden ? " · built-in, changed" : " · built-in") : " · custom"}
                      </span>
                      {changedBy.has(r.id) && (
                        <span class="small block" data-testid="rule-scoped">
                          changed for {changedBy.get(r.id)?.join(", ")}
                        </span>
                      )}
                    </th>
                    <td class="wrap">{r.condition ?? condition(r)}</td>
                    <td>
                      <Badge tone={r.severity} />
                    </td>
                    <td>
                      {r.actions?.join(", ") || (
                        <span title="no recovery action: the issue notifies the org's channels">notify</span>
                      )}
                    </td>
                    <td>{r.enabled ? "enabled" : <span class="muted">disabled</span>}</td>
                    <td>
                      <div class="row-actions">
                        <button
                          type="button"
                          class="btn small"
                          data-testid="rule-edit"
                          aria-label={`${isAdmin ? "Edit" : "View"} ${r.name}`}
                          onClick={() => open(r, false)}
                        >
                          {isAdmin ? "Edit" : "View"}
                        </button>
                        {isAdmin && (
                          <button
                            type="button"
                            class="btn small"
                            disabled={busy !== null}
                            aria-label={`${r.enabled ? "Disable" : "Enable"} ${r.name}`}
                            onClick={() =>
                              act(
                                r,
                                () => setRuleEnabled(r.id, !r.enabled),
                                `${r.name} ${r.enabled ? "disabled" : "enabled"}.`,
                              )
                            }
                          >
                            {r.enabled ? "Disable" : "Enable"}
                          </button>
                        )}
                        {isAdmin && (!r.builtin || r.overridden) && (
                          <button
                            type="button"
                            class="btn small"
                            disabled={busy !== null}
                            aria-label={`${r.builtin ? "Restore the default of" : "Delete"} ${r.name}`}
                            onClick={() => {
                              if (!r.builtin && !confirm(`Delete the rule “${r.name}”?`)) return;
                              void act(
                                r,
                                () => deleteRule(r.id),
                                r.builtin ? `${r.name} restored to its default.` : `${r.name} deleted.`,
                              );
                            }}
                          >
                            {r.builtin ? "Restore default" : "Delete"}
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </ScrollTable>
            )}
          </section>
          <LearningTable />
        </>
      )}
    </>
  );
}

function condition(r: Rule): string {
  const what = r.service ? `service ${r.service}` : (r.metric ?? "");
  const limit = r.threshold != null ? ` ${r.op ?? "above"} ${r.threshold}` : "";
  const dur = r.durationSeconds ? ` for ${r.durationSeconds} s` : "";
  return `${what}${limit}${dur}`.trim() || "—";
}
