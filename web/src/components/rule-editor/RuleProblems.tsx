import type { FieldIssue } from "../../types";

/** What stops the rule being saved: the JSON does not parse, or the API's messages by field. */
export function RuleProblems({ parseError, issues }: { parseError: string | null; issues: FieldIssue[] }) {
  return (
    <div id="rule-problems" data-testid="rule-problems">
      {parseError && (
        <p class="error-text small" role="alert">
          Not valid JSON: {parseError}
        </p>
      )}
      {issues.length > 0 && (
        <ul class="error-text small" role="alert">
          {issues.map((i) => (
            <li key={i.path + i.message}>
              <code>{i.path}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
