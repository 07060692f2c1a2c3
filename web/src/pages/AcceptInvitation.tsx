import { useState } from "preact/hooks";
import { ApiError, acceptInvitation, messageOf, startOidcSignIn } from "../api";
import { PasskeyOffer } from "../components/PasskeyOffer";
import { useSignIn } from "../hooks/useSignIn";
import { passkeysSupported } from "../passkeys";
import type { Session } from "../types";

interface Props {
  /** Signed in as a person: the org is added to them, so no name or email is asked. */
  asPerson: boolean;
  /** Signed out, with OpenID Connect offered: accept by signing in there (name and email from it). */
  oidcName?: string;
  onJoined: (session: Session) => void;
}

/** The link's secret rides in the fragment (`/invite#shi_…`), which browsers never send anywhere. */
const secretOfLink = () => location.hash.replace(/^#/, "");

/** Why the link did not sign in, in words: a spent link says so and what to do. */
function describeInvitationError(err: unknown) {
  if (err instanceof ApiError && err.status === 401)
    return "This invitation link was already used, revoked, or has expired. Ask an admin for a new one.";
  return messageOf(err);
}

/** Opening an invitation link: join the org it is for, and be signed in there. */
export function AcceptInvitation({ asPerson, oidcName, onJoined }: Props) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const { busy, error, refuse, attempt, leaveFor } = useSignIn();
  const [joined, setJoined] = useState<Session | null>(null);
  const secret = secretOfLink();

  const submit = (e: Event) => {
    e.preventDefault();
    if (!asPerson && (!name.trim() || !email.trim())) return refuse("Enter your name and email.");
    const body = asPerson ? { token: secret } : { token: secret, name: name.trim(), email: email.trim() };
    void attempt(
      () => acceptInvitation(body),
      (session) => {
        history.replaceState(null, "", "/");
        // A new account has no other way back in: offer it a passkey first.
        if (!asPerson && passkeysSupported()) setJoined(session);
        else onJoined(session);
      },
      describeInvitationError,
    );
  };

  const linkOk = /^shi_[0-9A-Za-z]{43}$/.test(secret);

  if (joined) return <PasskeyOffer name={joined.name} onDone={() => onJoined(joined)} />;
  return (
    <main class="center">
      <form class="card signin" onSubmit={submit} noValidate data-testid="invite-form">
        <h1>
          <span class="logo" aria-hidden="true" /> Join selfheal
        </h1>
        {!linkOk ? (
          <p class="error-text" role="alert">
            This link is incomplete: open the whole invitation link you were sent.
          </p>
        ) : asPerson ? (
          <p class="muted">You are signed in: accepting adds this org to your account.</p>
        ) : (
          <>
            {oidcName && (
              <>
                <button
                  type="button"
                  class="btn primary"
                  data-testid="invite-oidc"
                  disabled={busy}
                  onClick={() =>
                    void leaveFor(() => startOidcSignIn({ invitation: secret }), describeInvitationError)
                  }
                >
                  Accept by signing in with {oidcName}
                </button>
                <p class="muted small">Or make an account here:</p>
              </>
            )}
            <p class="muted">You were invited to an org. Who are you?</p>
            <label for="invite-name">Name</label>
            <input
              id="invite-name"
              data-testid="invite-name"
              autoComplete="name"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <label for="invite-email">Email</label>
            <input
              id="invite-email"
              data-testid="invite-email"
              type="email"
              autoComplete="email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </>
        )}
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn primary" data-testid="invite-accept" disabled={busy}>
          {busy ? "Joining…" : "Accept the invitation"}
        </button>
      </form>
    </main>
  );
}
