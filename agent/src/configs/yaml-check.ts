/**
 * A syntax sanity check for YAML, not a parser (the agent has no YAML library): it catches what
 * usually breaks a hand-edited file — tabs in indentation, a line that is neither `key: value`,
 * `key:`, `- item` nor a comment, and a dedent to an indentation no enclosing block used.
 * Block scalars (`|`, `>`), flow collections and quoted multi-line values are skipped, not checked.
 * It errs on the side of refusing: a valid but unusual file may fail it; configure `validate` then.
 */
export function yamlProblem(text: string): string | undefined {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const levels: number[] = [0];
  let blockIndent: number | undefined; // inside a block scalar: lines indented deeper than this
  let flowDepth = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const where = `line ${i + 1}`;
    if (/^\s*$/.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    if (blockIndent !== undefined) {
      if (indent > blockIndent) continue;
      blockIndent = undefined;
    }
    if (/^ *\t/.test(raw)) return `${where}: tab in indentation`;
    const line = raw.trim();
    if (line.startsWith("#") || line === "---" || line === "..." || line.startsWith("%")) continue;
    if (flowDepth > 0) {
      flowDepth += depthChange(line);
      continue;
    }
    if (indent > levels[levels.length - 1]) levels.push(indent);
    else {
      while (levels.length > 1 && indent < levels[levels.length - 1]) levels.pop();
      if (indent !== levels[levels.length - 1])
        return `${where}: indentation of ${indent} matches no enclosing block`;
    }
    let rest = line;
    // `- - item`, `- key: value`: look at what follows the dashes
    while (/^-( |$)/.test(rest)) rest = rest.slice(1).trimStart();
    if (rest === "") continue;
    const key = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`][^#]*?|\?)\s*:(?:\s+(.*)|)$/.exec(
      rest,
    );
    const value = key ? (key[2] ?? "").trim() : rest;
    if (!key && line === rest)
      return `${where}: expected "key: value", "key:" or "- item", got "${truncate(line)}"`;
    const bad = unbalancedQuote(value);
    if (bad) return `${where}: ${bad}`;
    if (/^[|>][-+0-9]*\s*(#.*)?$/.test(value)) blockIndent = indent;
    else if (/^[[{]/.test(value)) flowDepth = Math.max(0, depthChange(value));
  }
  if (flowDepth > 0) return "end of file inside a [ ] or { } collection";
  return undefined;
}

function depthChange(s: string): number {
  let d = 0;
  for (const ch of s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, "")) {
    if (ch === "[" || ch === "{") d++;
    else if (ch === "]" || ch === "}") d--;
  }
  return d;
}

/** A value that opens a quote and never closes it on the line (multi-line quoted values are rare in configs). */
function unbalancedQuote(value: string): string | undefined {
  const v = value.replace(/\s+#.*$/, "");
  if (v.startsWith('"') && !/^"(?:[^"\\]|\\.)*"\s*(#.*)?$/.test(value))
    return "unterminated double-quoted value";
  if (v.startsWith("'") && !/^'(?:[^']|'')*'\s*(#.*)?$/.test(value))
    return "unterminated single-quoted value";
  return undefined;
}

const truncate = (s: string) => (s.length > 60 ? `${s.slice(0, 59)}…` : s);
