import { messageOf } from "../../api";
import type { Rule } from "../../types";

/** Fields the API echoes but ignores on input: left out of the editor so they do not mislead. */
export const editable = (rule: Rule) => {
  const { builtin: _b, overridden: _o, condition: _c, ...rest } = rule;
  return rest;
};

/** The editor's text for a rule: its editable fields as indented JSON. */
export const ruleText = (rule: Rule) => JSON.stringify(editable(rule), null, 2);

/** The editor's text read back: a rule to send, or why it is not one yet. */
export function parseRule(text: string): { parsed: Rule | null; parseError: string | null } {
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v))
      return { parsed: null, parseError: "A rule is a JSON object." };
    return { parsed: v as Rule, parseError: null };
  } catch (err) {
    return { parsed: null, parseError: messageOf(err) };
  }
}
