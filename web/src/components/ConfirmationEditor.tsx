import { useEffect, useState } from "preact/hooks";
import { SEVERITIES } from "../../../agent/engine/types";
import { ApiError, messageOf, saveConfig } from "../api";
import type { FieldIssue } from "../types";
import type { Message } from "../useAction";
import type { ConfigEditorProps } from "./config-fields";
import { ACTIONS, type Draft, PATH, toDraft, toValue } from "./confirmation-draft";
import { Field } from "./Field";
import { SaveBar } from "./SaveBar";

/**
 * `recovery.require_confirmation`: never, always, or only for some severities, actions and rules
 * (any match waits for approval; emergency_shutdown always does). The API validates; its messages
 * land beside the part they name.
 */
export function ConfirmationEditor({ config, canWrite, onSaved }: ConfigEditorProps) {
  const current = config.recovery?.require_confirmation;
  const [draft, setDraft] = useState(() => toDraft(current));
  const [dirty, setDirty] = useState(false);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(current);
  // Follows the stored value (compared by content, not identity) until edited.
  useEffect(() => {
    if (!dirty) setDraft(toDraft(current));
  }, [key, dirty]);

  const edit = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    setMessage(null);
  };
  const toggle = <F extends "severities" | "actions">(field: F, value: Draft[F][number], on: boolean) =>
    edit({ [field]: on ? [...draft[field], value] : draft[field].filter((v) => v !== value) });
  const errorOf = (part: string) =>
    issues
      .filter((i) => i.path === `${PATH}.${part}` || i.path.startsWith(`${PATH}.${part}.`))
      .map((i) => i.message)
      .join("; ") || undefined;
  const general = issues.filter((i) => !/\.(severities|actions|rules)(\.|$)/.test(i.path));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setIssues([]);
    setMessage(null);
    try {
      const doc = await saveConfig({ recovery: { require_confirmation: toValue(draft) } });
      setDirty(false);
      setDraft(toDraft(doc.recovery?.require_confirmation));
      setMessage({ ok: true, text: "Approval policy saved." });
      onSaved(doc);
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues);
      setMessage({ ok: false, text: `Not saved: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="confirm-editor"
      onSubmit={submit}
      noValidate
      aria-label="Approval policy"
      data-testid="rc-form"
    >
      <fieldset class="group" disabled={!canWrite}>
        <legend>Ask a person before running an action</legend>
        <div class="choices" role="radiogroup" aria-label="When to ask">
          {(
            [
              ["never", "Never"],
              ["always", "Always"],
              ["some", "Only for…"],
            ] as const
          ).map(([mode, label]) => (
            <label key={mode}>
              <input
                type="radio"
                name="rc-mode"
                value={mode}
                checked={draft.mode === mode}
                onChange={() => edit({ mode })}
              />
              {label}
            </label>
          ))}
        </div>
        {draft.mode === "some" && (
          <>
            <fieldset
              class="choices"
              aria-describedby={errorOf("severities") ? "rc-severities-err" : undefined}
            >
              <legend class="small">Severities</legend>
              {SEVERITIES.map((s) => (
                <label key={s}>
                  <input
                    type="checkbox"
                    checked={draft.severities.includes(s)}
                    onChange={(e) => toggle("severities", s, e.currentTarget.checked)}
                  />
                  {s}
                </label>
              ))}
            </fieldset>
            {errorOf("severities") && (
              <span id="rc-severities-err" class="error-text small" role="alert">
                {errorOf("severities")}
              </span>
            )}
            <fieldset class="choices">
              <legend class="small">Actions</legend>
              {ACTIONS.map((a) => (
                <label key={a}>
                  <input
                    type="checkbox"
                    checked={draft.actions.includes(a)}
                    onChange={(e) => toggle("actions", a, e.currentTarget.checked)}
                  />
                  {a}
                </label>
              ))}
            </fieldset>
            <Field
              id="rc-actions"
              label="Other actions"
              value={draft.otherActions}
              hint="Comma-separated, e.g. webhook:scale_out."
              error={errorOf("actions")}
              onInput={(v) => edit({ otherActions: v })}
            />
            <Field
              id="rc-rules"
              label="Rules"
              value={draft.rules}
              hint="Comma-separated rule ids, e.g. service_down."
              error={errorOf("rules")}
              onInput={(v) => edit({ rules: v })}
            />
          </>
        )}
        <p class="muted small">
          An emergency shutdown always waits for approval, whatever this says, and by default from a second
          person: whoever asked for it cannot approve it (<code>recovery.second_approval</code>).
        </p>
      </fieldset>
      {general.map((i) => (
        <p key={i.path} class="error-text small" role="alert">
          {i.path}: {i.message}
        </p>
      ))}
      <SaveBar
        label="Save approval policy"
        testId="rc"
        canWrite={canWrite}
        dirty={dirty}
        busy={busy}
        message={message}
      />
    </form>
  );
}
