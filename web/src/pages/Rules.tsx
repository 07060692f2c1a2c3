import { useState } from "preact/hooks";
import { ApiError, getRules, getScopes } from "../api";
import { LearningTable } from "../components/LearningTable";
import { RuleEditor } from "../components/RuleEditor";
import { RuleTable } from "../components/RuleTable";
import { scopedBy } from "../components/ScopeView";
import { useLive } from "../live";
import type { Rule } from "../types";
import { useAction } from "../useAction";
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
  const { message, busy, run } = useAction(rules.refresh);
  const missing =
    rules.error instanceof ApiError && (rules.error.status === 404 || rules.error.status === 405);

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
              <RuleTable
                rules={rules.data.items}
                changedBy={changedBy}
                isAdmin={isAdmin}
                onEdit={(r) => open(r, false)}
                busy={busy}
                run={run}
              />
            )}
          </section>
          <LearningTable />
        </>
      )}
    </>
  );
}
