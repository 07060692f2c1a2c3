export type EditMode = "form" | "json";

interface Props {
  mode: EditMode;
  /** The form needs a rule it can read: unparsable JSON is edited as JSON. */
  formAvailable: boolean;
  onMode: (mode: EditMode) => void;
}

/** Form or JSON: two views of the same text. */
export function ModeSwitch({ mode, formAvailable, onMode }: Props) {
  return (
    <fieldset class="segmented">
      <legend class="visually-hidden">Edit as</legend>
      {(["form", "json"] as const).map((m) => (
        <button
          key={m}
          type="button"
          class="btn small"
          aria-pressed={mode === m}
          data-testid={`rule-mode-${m}`}
          disabled={m === "form" && !formAvailable}
          onClick={() => onMode(m)}
        >
          {m === "form" ? "Form" : "JSON"}
        </button>
      ))}
    </fieldset>
  );
}
