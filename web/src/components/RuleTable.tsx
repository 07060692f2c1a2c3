import { deleteRule, messageOf, setRuleEnabled } from "../api";
import type { Rule } from "../types";
import type { Run } from "../useAction";
import { Badge } from "./Badge";
import { type RowAction, RowActions } from "./RowActions";
import { ScrollTable } from "./ScrollTable";

interface Props {
  rules: Rule[];
  /** The groups and hosts that changed each rule (ScopeView's scopedBy). */
  changedBy: Map<string, string[]>;
  isAdmin: boolean;
  onEdit: (rule: Rule) => void;
  busy: string | null;
  run: Run;
}

/** The rules, each with where it was changed, and (for admins) enable, disable, delete or restore. */
export function RuleTable({ rules, changedBy, isAdmin, onEdit, busy, run }: Props) {
  return (
    <ScrollTable
      label="Rules"
      columns={["Rule", "Condition", "Severity", "Actions", "State"]}
      actions="Manage"
    >
      {rules.map((r) => (
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
            <RowActions rowKey={r.id} busy={busy} run={run} actions={isAdmin ? ruleActions(r) : []}>
              <button
                type="button"
                class="btn small"
                data-testid="rule-edit"
                aria-label={`${isAdmin ? "Edit" : "View"} ${r.name}`}
                onClick={() => onEdit(r)}
              >
                {isAdmin ? "Edit" : "View"}
              </button>
            </RowActions>
          </td>
        </tr>
      ))}
    </ScrollTable>
  );
}

/** An admin's buttons on a rule: turn it on or off; delete a custom one, restore a changed built-in. */
function ruleActions(r: Rule): RowAction[] {
  const named = (what: () => Promise<unknown>, done: string) => async () => {
    try {
      await what();
    } catch (err) {
      throw new Error(`${r.name}: ${messageOf(err)}`);
    }
    return done;
  };
  const toggle: RowAction = {
    label: r.enabled ? "Disable" : "Enable",
    ariaLabel: `${r.enabled ? "Disable" : "Enable"} ${r.name}`,
    run: named(() => setRuleEnabled(r.id, !r.enabled), `${r.name} ${r.enabled ? "disabled" : "enabled"}.`),
  };
  if (r.builtin && !r.overridden) return [toggle];
  return [
    toggle,
    {
      label: r.builtin ? "Restore default" : "Delete",
      ariaLabel: `${r.builtin ? "Restore the default of" : "Delete"} ${r.name}`,
      confirm: r.builtin ? undefined : `Delete the rule “${r.name}”?`,
      run: named(
        () => deleteRule(r.id),
        r.builtin ? `${r.name} restored to its default.` : `${r.name} deleted.`,
      ),
    },
  ];
}

function condition(r: Rule): string {
  const what = r.service ? `service ${r.service}` : (r.metric ?? "");
  const limit = r.threshold != null ? ` ${r.op ?? "above"} ${r.threshold}` : "";
  const dur = r.durationSeconds ? ` for ${r.durationSeconds} s` : "";
  return `${what}${limit}${dur}`.trim() || "—";
}
