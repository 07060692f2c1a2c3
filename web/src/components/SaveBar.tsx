import type { Message } from "../useAction";

interface Props {
  /** The save button's words ("Save settings"). */
  label: string;
  /** Prefix of the button's and the message's test ids (`<testId>-save`, `<testId>-message`). */
  testId: string;
  canWrite: boolean;
  dirty: boolean;
  busy: boolean;
  message: Message | null;
  /** Offered while there are unsaved edits. */
  onDiscard?: () => void;
}

/** The foot of an edit form: save (only with unsaved edits), discard, and what the last save did. */
export function SaveBar({ label, testId, canWrite, dirty, busy, message, onDiscard }: Props) {
  return (
    <div class="control">
      <button
        type="submit"
        class="btn primary"
        disabled={!canWrite || busy || !dirty}
        data-testid={`${testId}-save`}
      >
        {busy ? "Saving…" : label}
      </button>
      {dirty && onDiscard && (
        <button type="button" class="btn" onClick={onDiscard}>
          Discard changes
        </button>
      )}
      <span
        class={`small ${message?.ok === false ? "error-text" : "ok-text"}`}
        role="status"
        data-testid={`${testId}-message`}
      >
        {message?.text}
      </span>
    </div>
  );
}
