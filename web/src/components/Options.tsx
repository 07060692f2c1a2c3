/** A select's choice: a value shown as itself, or a [value, label] pair. */
export type Choice = string | readonly [value: string, label: string];

/** The `<option>`s of a select, in the order given. */
export function Options({ choices = [] }: { choices?: readonly Choice[] }) {
  return (
    <>
      {choices.map((c) => {
        const [value, label] = typeof c === "string" ? [c, c] : c;
        return (
          <option key={value} value={value}>
            {label}
          </option>
        );
      })}
    </>
  );
}

/** Hosts as choices: their id, shown by name. */
export const hostChoices = (hosts: readonly { id: string; name: string }[] = []): Choice[] =>
  hosts.map((h) => [h.id, h.name]);
