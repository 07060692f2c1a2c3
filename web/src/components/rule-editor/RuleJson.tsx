interface Props {
  text: string;
  /** The form shows the rule instead; the text stays in the page as the one source. */
  hidden: boolean;
  readOnly: boolean;
  invalid: boolean;
  onInput: (text: string) => void;
}

/** The rule as JSON for experts: every field the engine knows, described by the problems below it. */
export function RuleJson({ text, hidden, readOnly, invalid, onInput }: Props) {
  return (
    <textarea
      hidden={hidden}
      id="rule-json"
      class="code"
      data-testid="rule-json"
      rows={Math.min(24, text.split("\n").length + 1)}
      spellcheck={false}
      readOnly={readOnly}
      value={text}
      aria-invalid={invalid ? true : undefined}
      aria-describedby="rule-problems"
      onInput={(e) => onInput(e.currentTarget.value)}
    />
  );
}
