import type { PartialInputHTMLAttributes } from "preact";
import { useId } from "preact/hooks";
import type { FieldIssue } from "../types";

/** The API's messages for one field of a 400: its own path, or a nested path ending in it. */
export function fieldError(issues: FieldIssue[], path: string): string | undefined {
  const mine = issues.filter((i) => i.path === path || i.path.endsWith(`.${path}`));
  return mine.length ? mine.map((i) => i.message).join("; ") : undefined;
}

type InputType = "text" | "url" | "password" | "datetime-local" | "number";
type Extra = Omit<
  PartialInputHTMLAttributes<HTMLInputElement>,
  "id" | "type" | "value" | "onInput" | "label" | "role"
>;

interface Props extends Extra {
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** What the API said about this field (see fieldError). */
  error?: string;
  hint?: string;
  /** A fixed id (tests and links name it); otherwise one is made up. */
  id?: string;
  type?: InputType;
}

/** A labelled input with its hint and its error beside it, both tied to it for screen readers. */
export function Field({ label, value, onInput, error, hint, id: fixed, type = "text", ...input }: Props) {
  const made = useId();
  const id = fixed ?? made;
  const describedBy = [hint && `${id}-hint`, error && `${id}-err`].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        // Preact types each input type apart by the roles it allows; a field sets no role.
        type={type as "text"}
        value={value}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onInput={(e) => onInput(e.currentTarget.value)}
        {...input}
      />
      {hint && (
        <span id={`${id}-hint`} class="muted small">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-err`} class="error-text small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
