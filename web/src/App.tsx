import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, getSession, onUnauthorized, signOut } from "./api";
import { Overview } from "./pages/Overview";
import { SignIn } from "./pages/SignIn";
import type { Session } from "./types";

type Auth =
  | { kind: "checking" }
  | { kind: "signed-out"; notice?: string }
  | { kind: "signed-in"; session: Session }
  | { kind: "unreachable"; message: string };

/** Decides between sign-in and the dashboard from `GET /api/v1/session`, and returns to sign-in on any 401. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ kind: "checking" });

  const check = useCallback(async () => {
    setAuth({ kind: "checking" });
    try {
      setAuth({ kind: "signed-in", session: await getSession() });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403))
        setAuth({ kind: "signed-out" });
      else setAuth({ kind: "unreachable", message: err instanceof Error ? err.message : String(err) });
    }
  }, []);

  useEffect(() => {
    onUnauthorized(() =>
      setAuth({ kind: "signed-out", notice: "Your session has ended. Please sign in again." }),
    );
    void check();
    return () => onUnauthorized(null);
  }, [check]);

  const leave = useCallback(async () => {
    try {
      await signOut();
    } finally {
      setAuth({ kind: "signed-out", notice: "Signed out." });
    }
  }, []);

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
    case "signed-out":
      return (
        <SignIn notice={auth.notice} onSignedIn={(session) => setAuth({ kind: "signed-in", session })} />
      );
    case "signed-in":
      return <Overview session={auth.session} onSignOut={leave} />;
  }
}
