import { useState } from "preact/hooks";
import { addPasskey, ceremonyMessage } from "../passkeys";

/**
 * Right after an invitation made a new account: offer a passkey, the way back in next time
 * (the account has no password, and the link works once).
 */
export function PasskeyOffer({ name, onDone }: { name: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const add = async () => {
    setBusy(true);
    setError(null);
    try {
      await addPasskey();
      onDone();
    } catch (err) {
      setError(err instanceof Error && err.name === "ApiError" ? err.message : ceremonyMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="center">
      <div class="card signin" data-testid="passkey-offer">
        <h1>
          <span class="logo" aria-hidden="true" /> Welcome, {name}
        </h1>
        <p>
          Add a passkey to sign in next time: this device's screen lock, your phone, or a security key. The
          invitation link works only once.
        </p>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <button
          type="button"
          class="btn primary"
          data-testid="passkey-offer-add"
          disabled={busy}
          onClick={() => void add()}
        >
          {busy ? "Waiting for your passkey…" : "Add a passkey"}
        </button>
        <button type="button" class="btn" data-testid="passkey-offer-skip" disabled={busy} onClick={onDone}>
          Not now (add one later in Settings)
        </button>
      </div>
    </main>
  );
}
