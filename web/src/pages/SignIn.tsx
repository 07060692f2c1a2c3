import { useState } from "preact/hooks";
import { ApiError, messageOf, signIn, signInWithAccess, startOidcSignIn } from "../api";
import { PasskeySignIn } from "../components/PasskeySignIn";
import { useSignIn } from "../hooks/useSignIn";
import type { Session, SignInMethod } from "../types";

interface Props {
  notice?: string;
  methods: SignInMethod[];
  /** The OpenID Connect provider's name, when that method is offered. */
  oidcName?: string;
  onSignedIn: (session: Session) => void;
}

/** Why a token did not sign in, in words. */
function describeTokenError(err: unknown) {
  if (err instanceof ApiError && err.status === 401) return "That token is not valid (unknown or revoked).";
  if (err instanceof ApiError && err.status === 403)
    return "Only admin, operator and read tokens can sign in to the dashboard.";
  return messageOf(err);
}

/** Trades an admin, operator or read token for an HttpOnly session cookie; the token itself is never stored here. */
export function SignIn({ notice, methods, oidcName, onSignedIn }: Props) {
  const [token, setToken] = useState("");
  const { busy, error, refuse, attempt, leaveFor } = useSignIn();

  const submit = (e: Event) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) return refuse("Enter an API token.");
    void attempt(
      () => signIn(value),
      (session) => {
        setToken("");
        onSignedIn(session);
      },
      describeTokenError,
    );
  };

  return (
    <main class="center">
      <form class="card signin" onSubmit={submit} noValidate>
        <h1>
          <span class="logo" aria-hidden="true" /> selfheal
        </h1>
        {notice && (
          <p class="note" role="status">
            {notice}
          </p>
        )}
        {methods.includes("oidc") && (
          <button
            type="button"
            class="btn primary"
            data-testid="signin-oidc"
            disabled={busy}
            onClick={() => void leaveFor(startOidcSignIn)}
          >
            Sign in with {oidcName ?? "your identity provider"}
          </button>
        )}
        {methods.includes("access") && (
          <>
            <button
              type="button"
              class="btn primary"
              data-testid="signin-access"
              disabled={busy}
              onClick={() => void attempt(signInWithAccess, onSignedIn)}
            >
              Sign in with your company login (Cloudflare Access)
            </button>
            <p class="muted small">Or, for automation accounts:</p>
          </>
        )}
        {methods.includes("passkey") && <PasskeySignIn onSignedIn={onSignedIn} />}
        <p class="muted">
          Sign in with an admin, operator or read-only API token, or open the invitation link you were sent.
        </p>
        <label for="signin-token">API token</label>
        <input
          id="signin-token"
          data-testid="signin-token"
          type="password"
          autoComplete="current-password"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "signin-error" : undefined}
          // biome-ignore lint/a11y/noAutofocus: the only field on the page
          autoFocus
        />
        {error && (
          <p id="signin-error" class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn primary" data-testid="signin-submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
