import { useEffect, useState } from "preact/hooks";
import { ApiError, saveConfig } from "../api";
import type { HealingConfig } from "../types";

type Field = {
  path: string;
  label: string;
  kind: "number" | "bool";
  min?: number;
  max?: number;
  hint?: string;
};

const GROUPS: { title: string; fields: Field[] }[] = [
  {
    title: "Monitoring",
    fields: [
      {
        path: "monitoring.interval",
        label: "Interval (seconds)",
        kind: "number",
        min: 1,
        max: 3600,
        hint: "How often agents report; the dashboard refreshes at the same pace.",
      },
      { path: "monitoring.enable_ai_diagnostics", label: "Anomaly diagnostics", kind: "bool" },
    ],
  },
  {
    title: "Alert thresholds (%)",
    fields: ["cpu", "memory", "disk"].flatMap((m) => [
      {
        path: `monitoring.alert_thresholds.${m}_warning`,
        label: `${cap(m)} warning`,
        kind: "number" as const,
        min: 0,
        max: 100,
      },
      {
        path: `monitoring.alert_thresholds.${m}_critical`,
        label: `${cap(m)} critical`,
        kind: "number" as const,
        min: 0,
        max: 100,
      },
    ]),
  },
  {
    title: "Recovery",
    fields: [
      { path: "recovery.auto_recovery", label: "Recover automatically", kind: "bool" },
      { path: "recovery.max_attempts", label: "Attempts before escalating", kind: "number", min: 1, max: 10 },
      { path: "recovery.emergency_shutdown", label: "Allow emergency protocols", kind: "bool" },
    ],
  },
];

function cap(s: string) {
  return s === "cpu" ? "CPU" : s[0].toUpperCase() + s.slice(1);
}

function get(doc: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

/** Sets a dotted path in a nested object, creating the branches. */
function put(doc: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let o = doc;
  for (const k of keys.slice(0, -1)) {
    if (!o[k]) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

type Draft = Record<string, string | boolean>;

const toDraft = (doc: HealingConfig): Draft =>
  Object.fromEntries(
    GROUPS.flatMap((g) => g.fields).map((f) => {
      const v = get(doc, f.path);
      return [f.path, f.kind === "bool" ? v === true : v == null ? "" : String(v)];
    }),
  );

/**
 * The config document as a form. Numbers are checked here only for being numbers; everything
 * else (ranges, warning ≤ critical) is the API's call, and its messages land beside each field.
 */
export function ConfigForm({
  config,
  canWrite,
  onSaved,
}: {
  config: HealingConfig;
  canWrite: boolean;
  onSaved: (doc: HealingConfig) => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(config));
  // Only the fields edited here are sent, so a save never writes back stale values of the others.
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const dirty = touched.size > 0;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
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
      } else
        setMessage({ ok: false, text: `Not saved: ${err instanceof Error ? err.message : String(err)}` });
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
              <div key={f.path} class="field">
                <label for={id}>{f.label}</label>
                <input
                  id={id}
                  type="number"
                  inputMode="numeric"
                  min={f.min}
                  max={f.max}
                  value={draft[f.path] as string}
                  aria-invalid={err ? true : undefined}
                  aria-describedby={describe}
                  onInput={(e) => change(f.path, e.currentTarget.value)}
                />
                {f.hint && (
                  <span id={`${id}-hint`} class="muted small">
                    {f.hint}
                  </span>
                )}
                {err && (
                  <span id={`${id}-err`} class="error-text small" role="alert">
                    {err}
                  </span>
                )}
              </div>
            );
          })}
        </fieldset>
      ))}
      {unplaced.map(([p, m]) => (
        <p key={p} class="error-text small" role="alert">
          {p}: {m}
        </p>
      ))}
      <div class="control">
        <button
          type="submit"
          class="btn primary"
          disabled={!canWrite || busy || !dirty}
          data-testid="config-save"
        >
          {busy ? "Saving…" : "Save settings"}
        </button>
        {dirty && (
          <button
            type="button"
            class="btn"
            onClick={() => {
              setTouched(new Set());
              setErrors({});
              setMessage(null);
            }}
          >
            Discard changes
          </button>
        )}
        <span
          class={`small ${message?.ok === false ? "error-text" : "ok-text"}`}
          role="status"
          data-testid="config-message"
        >
          {message?.text}
        </span>
      </div>
    </form>
  );
}
