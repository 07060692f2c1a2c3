import { useEffect, useState } from "preact/hooks";
import { messageOf, setEnabled } from "../api";

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
  /** The switch acts on every host of the org: a click asks first, and the question says so. */
  const [confirming, setConfirming] = useState(false);

  // A newer config from the server supersedes the value this switch last set.
  useEffect(() => setLocal(undefined), [configVersion]);

  const on = local ?? enabled;
  const toggle = async () => {
    if (on === undefined) return;
    setConfirming(false);
    setPending(true);
    setError(null);
    try {
      const doc = await setEnabled(!on);
      setLocal(doc.enabled);
      onChanged();
    } catch (err) {
      setError(messageOf(err));
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
        aria-expanded={confirming}
        aria-controls="healing-switch-confirm"
        disabled={!canWrite || pending || on === undefined}
        onClick={() => setConfirming(!confirming)}
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
      {confirming && on !== undefined && (
        <fieldset id="healing-switch-confirm" class="confirm small" aria-label="Confirm">
          {on
            ? "Turn self-healing off for every host of the org? Detection goes on; nothing is repaired automatically."
            : "Turn self-healing on for every host of the org? The engine starts repairing open issues."}{" "}
          <button type="button" class="btn small danger" data-testid="healing-confirm" onClick={toggle}>
            {on ? "Turn off" : "Turn on"}
          </button>{" "}
          <button type="button" class="btn small" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </fieldset>
      )}
      {error && (
        <span class="error-text small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
