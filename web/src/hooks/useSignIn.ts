import { useState } from "preact/hooks";
import { messageOf } from "../api";

/** A failure in words for the person signing in. */
export type Describe = (err: unknown) => string;

/**
 * The shape every sign-in button shares: one attempt at a time (`busy` disables the form's
 * buttons), and the last failure shown in words. `attempt` hands what `start` answers to `done`
 * (a session to sign in with); `leaveFor` sends the browser to the address `start` answers (an
 * identity provider) and stays busy while the page goes, so nothing starts a second sign-in.
 */
export function useSignIn() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (step: () => Promise<void>, describe: Describe, leaving: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await step();
      if (leaving) return;
    } catch (err) {
      setError(describe(err));
    }
    setBusy(false);
  };

  return {
    busy,
    error,
    /** Refuses before asking the server (an empty field), in the same place as its answers. */
    refuse: setError,
    attempt: <T>(start: () => Promise<T>, done: (result: T) => void, describe = messageOf) =>
      run(async () => done(await start()), describe, false),
    leaveFor: (start: () => Promise<{ url: string }>, describe = messageOf) =>
      run(async () => location.assign((await start()).url), describe, true),
  };
}
