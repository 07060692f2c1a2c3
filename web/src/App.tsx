import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, getSession, messageOf, onUnauthorized, signOut } from "./api";
import { Shell } from "./components/Shell";
import { LiveProvider } from "./live";
import { AcceptInvitation } from "./pages/AcceptInvitation";
import { Emergency } from "./pages/Emergency";
import { History } from "./pages/History";
import { HostDetail } from "./pages/HostDetail";
import { IncidentDetail } from "./pages/IncidentDetail";
import { Incidents } from "./pages/Incidents";
import { IssueDetail } from "./pages/IssueDetail";
import { Issues } from "./pages/Issues";
import { NotFound } from "./pages/NotFound";
import { Overview } from "./pages/Overview";
import { Rules } from "./pages/Rules";
import { Settings } from "./pages/Settings";
import { SignIn } from "./pages/SignIn";
import { match, type Route, useLocation } from "./router";
import type { Session, SignInFailedParam, SignInFailure, SignInMethod } from "./types";

type Auth =
  | { kind: "checking" }
  | { kind: "signed-out"; notice?: string; methods?: SignInMethod[]; oidcName?: string }
  | { kind: "signed-in"; session: Session }
  | { kind: "leaving" }
  | { kind: "unreachable"; message: string };

/** Decides between sign-in and the dashboard from `GET /api/v1/session`, and returns to sign-in on any 401. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ kind: "checking" });

  // The session cookie is HttpOnly: the page cannot see it, so it asks the server every time.
  // Signed out (`notice` says why), it also learns which sign-in methods to offer.
  const check = useCallback(async (notice?: string) => {
    setAuth({ kind: "checking" });
    try {
      const state = await getSession();
      setAuth(
        state.signedIn
          ? { kind: "signed-in", session: state }
          : { kind: "signed-out", notice, methods: state.methods, oidcName: state.oidcName },
      );
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403))
        setAuth({ kind: "signed-out", notice });
      else setAuth({ kind: "unreachable", message: messageOf(err) });
    }
  }, []);

  useEffect(() => {
    onUnauthorized(() => {
      void check("Your session has ended. Please sign in again.");
    });
    void check(takeSignInFailure());
    return () => onUnauthorized(null);
  }, [check]);

  // Signing out first unmounts the dashboard (which aborts every poll in flight), and only then
  // ends the session: a poll answered after the session ended would be a spurious 401.
  const leave = useCallback(() => setAuth({ kind: "leaving" }), []);
  const left = useCallback(() => {
    void check("Signed out.");
  }, [check]);

  if (location.pathname === "/invite" && (auth.kind === "signed-in" || auth.kind === "signed-out"))
    return (
      <AcceptInvitation
        asPerson={auth.kind === "signed-in" && auth.session.userId !== null}
        oidcName={auth.kind === "signed-out" && auth.methods?.includes("oidc") ? auth.oidcName : undefined}
        onJoined={(session) => setAuth({ kind: "signed-in", session })}
      />
    );
  switch (auth.kind) {
    case "checking":
      return (
        <main class="center" aria-busy="true">
          <p class="note">Loading…</p>
        </main>
      );
    case "unreachable":
      return (
        <main class="center">
          <div class="card" role="alert">
            <h1>selfheal</h1>
            <p class="error-text">{auth.message}</p>
            <button type="button" class="btn" onClick={() => void check()}>
              Try again
            </button>
          </div>
        </main>
      );
    case "leaving":
      return <SigningOut onDone={left} />;
    case "signed-out":
      return (
        <SignIn
          notice={auth.notice}
          methods={auth.methods ?? ["token"]}
          oidcName={auth.oidcName}
          onSignedIn={(session) => setAuth({ kind: "signed-in", session })}
        />
      );
    case "signed-in":
      return (
        <LiveProvider session={auth.session}>
          <Pages onSignOut={leave} />
        </LiveProvider>
      );
  }
}

/** Mounted only once the dashboard is gone, so no request of its can still be in flight. */
function SigningOut({ onDone }: { onDone: () => void }) {
  useEffect(() => {
    signOut().then(onDone, onDone);
  }, [onDone]);
  return (
    <main class="center" aria-busy="true">
      <p class="note">Signing out…</p>
    </main>
  );
}

const TITLES: Record<Route["page"], string> = {
  overview: "Overview",
  host: "Host",
  issues: "Issues",
  issue: "Issue",
  incidents: "Fleet incidents",
  incident: "Fleet incident",
  history: "Recovery history",
  rules: "Rules",
  settings: "Settings",
  emergency: "Emergency protocols",
  "not-found": "Not found",
};

function Pages({ onSignOut }: { onSignOut: () => void }) {
  const loc = useLocation();
  const route = match(loc.path);
  return (
    <Shell path={loc.path} title={TITLES[route.page]} onSignOut={onSignOut}>
      {page(route, loc.query)}
    </Shell>
  );
}

function page(route: Route, query: URLSearchParams) {
  switch (route.page) {
    case "overview":
      return <Overview />;
    case "host":
      return <HostDetail key={route.id} id={route.id} />;
    case "issues":
      return <Issues query={query} />;
    case "issue":
      return <IssueDetail key={route.id} id={route.id} />;
    case "incidents":
      return <Incidents query={query} />;
    case "incident":
      return <IncidentDetail key={route.id} id={route.id} />;
    case "history":
      return <History />;
    case "rules":
      return <Rules />;
    case "settings":
      return <Settings />;
    case "emergency":
      return <Emergency />;
    case "not-found":
      return <NotFound />;
  }
}

const SIGN_IN_FAILED: SignInFailedParam = "sign_in_failed";

/** The callback sends a code; the words are ours, so a crafted link cannot put its own on the page. */
const signInFailureText: Record<SignInFailure, string> = {
  refused:
    "the identity provider's answer could not be checked, or this sign-in expired or was already used. Please try again.",
  no_account: "this login has no account here. Ask an admin for an invitation link.",
  incomplete: "the identity provider did not say who you are (no email for a new account).",
  not_configured: "single sign-on is not configured on this deployment.",
};

/** Why the identity provider's round trip was refused, once: taken out of the address it came in. */
function takeSignInFailure(): string | undefined {
  const url = new URL(window.location.href);
  const reason = url.searchParams.get(SIGN_IN_FAILED);
  if (reason === null) return undefined;
  url.searchParams.delete(SIGN_IN_FAILED);
  window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
  return Object.hasOwn(signInFailureText, reason)
    ? `Sign-in failed: ${signInFailureText[reason as SignInFailure]}`
    : "Sign-in failed.";
}
