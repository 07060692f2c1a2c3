import { useState } from "preact/hooks";
import { messageOf, retireHost } from "../api";
import { navigate } from "../router";

/** An admin retires a host that is gone for good, after saying yes to what that does. */
export function RetireHostButton({ id, name }: { id: string; name: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const retire = async () => {
    const sure = confirm(
      `Retire the host “${name}”? Its agent's tokens are revoked at once and its open issues resolved; ` +
        "its history stays until retention removes it. Only an admin's re-enroll token brings it back.",
    );
    if (!sure) return;
    setBusy(true);
    setError(null);
    try {
      await retireHost(id);
      navigate("/");
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <p class="small">
      <button type="button" class="btn danger" disabled={busy} onClick={retire} data-testid="retire-host">
        {busy ? "Retiring…" : "Retire host"}
      </button>
      {error && (
        <span class="error-text" role="alert">
          {" "}
          Could not retire the host: {error}
        </span>
      )}
    </p>
  );
}
