import { useEffect, useState } from "preact/hooks";
import { ApiError, messageOf, saveConfig } from "../api";
import type { Message } from "../useAction";
import { type ConfigEditorProps, type Draft, GROUPS, put, toDraft } from "./config-fields";
import { Field } from "./Field";
import { SaveBar } from "./SaveBar";

/**
 * The config document as a form. Numbers are checked here only for being numbers; everything
 * else (ranges, warning ≤ critical) is the API's call, and its messages land beside each field.
 */
export function ConfigForm({ config, canWrite, onSaved }: ConfigEditorProps) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(config));
  // Only the fields edited here are sent, so a save never writes back stale values of the others.
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const dirty = touched.size > 0;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);

  // Untouched fields follow the server; edited ones keep what was typed.
  useEffect(() => {
    setDraft((d) => {
      const fresh = toDraft(config);
      for (const p of touched) fresh[p] = d[p];
      return fresh;
    });
  }, [config, touched]);

  const change = (path: string, value: string | boolean) => {
    setDraft((d) => ({ ...d, [path]: value }));
    setTouched((t) => new Set(t).add(path));
    setMessage(null);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const patch: Record<string, unknown> = {};
    const local: Record<string, string> = {};
    for (const f of GROUPS.flatMap((g) => g.fields)) {
      if (!touched.has(f.path)) continue;
      const v = draft[f.path];
      if (f.kind === "bool") put(patch, f.path, v === true);
      else {
        const n = Number(v);
        if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n))
          local[f.path] = "Enter a number.";
        else put(patch, f.path, n);
      }
    }
    setErrors(local);
    if (Object.keys(local).length) {
      setMessage({ ok: false, text: "Some fields need a number." });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const doc = await saveConfig(patch);
      setDraft(toDraft(doc));
      setTouched(new Set());
      setMessage({ ok: true, text: "Settings saved." });
      onSaved(doc);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
        setMessage({
          ok: false,
          text: `Not saved: ${err.issues.length === 1 ? "one field needs" : `${err.issues.length} fields need`} attention.`,
        });
      } else setMessage({ ok: false, text: `Not saved: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const unplaced = Object.entries(errors).filter(
    ([p]) => !GROUPS.some((g) => g.fields.some((f) => f.path === p)),
  );

  return (
    <form class="config-form" onSubmit={submit} noValidate data-testid="config-form">
      {GROUPS.map((g) => (
        <fieldset key={g.title} class="group" disabled={!canWrite}>
          <legend>{g.title}</legend>
          {g.fields.map((f) => {
            const id = `cfg-${f.path.replace(/\./g, "-")}`;
            const err = errors[f.path];
            const describe =
              [f.hint && `${id}-hint`, err && `${id}-err`].filter(Boolean).join(" ") || undefined;
            return f.kind === "bool" ? (
              <div key={f.path} class="field check">
                <input
                  id={id}
                  type="checkbox"
                  checked={draft[f.path] === true}
                  aria-describedby={describe}
                  onChange={(e) => change(f.path, e.currentTarget.checked)}
                />
                <label for={id}>{f.label}</label>
                {f.hint && (
                  <span id={`${id}-hint`} class="muted small block">
                    {f.hint}
                  </span>
                )}
                {err && (
                  <span id={`${id}-err`} class="error-text small block" role="alert">
                    {err}
                  </span>
                )}
              </div>
            ) : (
              <Field
                key={f.path}
                id={id}
                label={f.label}
                hint={f.hint}
                error={err}
                type="number"
                inputMode="numeric"
                min={f.min}
                max={f.max}
                value={draft[f.path] as string}
                onInput={(v) => change(f.path, v)}
              />
            );
          })}
        </fieldset>
      ))}
      {unplaced.map(([p, m]) => (
        <p key={p} class="error-text small" role="alert">
          {p}: {m}
        </p>
      ))}
      <SaveBar
        label="Save settings"
        testId="config"
        canWrite={canWrite}
        dirty={dirty}
        busy={busy}
        message={message}
        onDiscard={() => {
          setTouched(new Set());
          setErrors({});
          setMessage(null);
        }}
      />
    </form>
  );
}
