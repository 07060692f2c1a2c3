import { useState } from "preact/hooks";
import { ApiError } from "../api";
import { useSignIn } from "../hooks/useSignIn";
import { ceremonyMessage, passkeysSupported, signInWithPasskey } from "../passkeys";
import type { Session } from "../types";

/** The API's own words, else what the browser's passkey ceremony said (cancelled, no passkey, ...). */
const describePasskeyError = (err: unknown) => (err instanceof ApiError ? err.message : ceremonyMessage(err));

/**
 * Sign-in with a passkey: with an email (its passkeys are offered), or none (the browser offers
 * the discoverable passkeys it holds for this site). It sits inside the sign-in form, so its
 * buttons never submit that form.
 */
export function PasskeySignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState("");
  const { busy, error, attempt } = useSignIn();
  if (!passkeysSupported()) return null;

  const go = () =>
    attempt(() => signInWithPasskey(email.trim() || undefined), onSignedIn, describePasskeyError);

  return (
    <>
      <label for="passkey-email">Email (optional)</label>
      <input
        id="passkey-email"
        data-testid="passkey-email"
        type="email"
        autoComplete="username webauthn"
        value={email}
        onInput={(e) => setEmail(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== "Enter") return;
          e.preventDefault();
          void go();
        }}
        aria-describedby={error ? "passkey-error" : undefined}
      />
      {error && (
        <p id="passkey-error" class="error-text" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        class="btn primary"
        data-testid="passkey-signin-submit"
        disabled={busy}
        onClick={() => void go()}
      >
        {busy ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </button>
      <p class="muted small">Or, with an API token:</p>
    </>
  );
}
