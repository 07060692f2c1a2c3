import type { ComponentChildren } from "preact";
import type { Run } from "../useAction";

export interface RowAction {
  label: string;
  /** Does the work; answers the line to show when it is done ("" for none). */
  run: () => Promise<string>;
  /** Asked first; the action runs only if the person agrees. */
  confirm?: string;
  /** The accessible name, when the label alone does not say which row. */
  ariaLabel?: string;
  danger?: boolean;
  testId?: string;
}

interface Props {
  /** The row's key: the busy marker while one of its actions runs. */
  rowKey: string;
  actions: RowAction[];
  /** From useAction: every button waits while any action runs. */
  busy: string | null;
  run: Run;
  /** Plain buttons shown first (opening an editor, say): they are not actions and never wait. */
  children?: ComponentChildren;
}

/** A table row's buttons, each optionally confirmed, all run through one useAction. */
export function RowActions({ rowKey, actions, busy, run, children }: Props) {
  return (
    <div class="row-actions">
      {children}
      {actions.map((a) => (
        <button
          key={a.label}
          type="button"
          class={a.danger ? "btn small danger" : "btn small"}
          disabled={busy !== null}
          aria-label={a.ariaLabel}
          data-testid={a.testId}
          onClick={() => {
            if (a.confirm && !confirm(a.confirm)) return;
            void run(rowKey, a.run);
          }}
        >
          {a.label}
        </button>
      ))}
    </div>
  );
}
