import { useEffect, useState } from "preact/hooks";
import { setEnabled } from "../api";

interface Props {
  /** The server's value (`GET /api/healing/config`.enabled); undefined until loaded. */
  enabled: boolean | undefined;
  /** Changes whenever a fresh config arrives, which supersedes the value this switch last set. */
  configVersion: number | undefined;
  canWrite: boolean;
  onChanged: () => void;
}

/** The self-healing on/off switch; read-only sessions see it but cannot press it. */
export function HealingSwitch({ enabled, configVersion, canWrite, onChanged }: Props) {
  const [pending, setPending] = useState(false);
  const [local, setLocal] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  // A newer config from the server supersedes the value this switch last set.
  useEffect(() => setLocal(undefined), [configVersion]);

  const on = local ?? enabled;
  const toggle = async () => {
    if (on === undefined) return;
    setPending(true);
    setError(null);
    try {
      const doc = await setEnabled(!on);
      setLocal(doc.enabled);
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <div class="control">
      <button
        type="button"
        role="switch"
        class="switch"
        data-testid="healing-switch"
        aria-checked={on === true}
        aria-labelledby="healing-switch-label"
        aria-describedby={canWrite ? undefined : "healing-switch-ro"}
        disabled={!canWrite || pending || on === undefined}
        onClick={toggle}
      >
        <span class="switch-knob" aria-hidden="true" />
      </button>
      <span id="healing-switch-label" class="control-label">
        Self-healing <strong>{on === undefined ? "…" : on ? "enabled" : "disabled"}</strong>
      </span>
      {!canWrite && (
        <span id="healing-switch-ro" class="muted small">
          (read-only session)
        </span>
      )}
      {error && (
        <span class="error-text small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
