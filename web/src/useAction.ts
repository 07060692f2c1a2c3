import { useState } from "preact/hooks";
import { ApiError, messageOf } from "./api";
import type { FieldIssue } from "./types";

/** What the last action did, in a line for the person. */
export interface Message {
  ok: boolean;
  text: string;
}

/** Runs one action under a key (the busy marker); the action answers the line to show. */
export type Run = (key: string, what: () => Promise<string>) => Promise<void>;

/**
 * One form action at a time: which one is busy, the outcome message, and the API's field issues
 * (so validation messages sit beside their fields). `refresh` reloads the list after a success.
 */
export function useAction(refresh: () => void) {
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const run: Run = async (key, what) => {
    setBusy(key);
    setMessage(null);
    setIssues([]);
    try {
      setMessage({ ok: true, text: await what() });
      refresh();
    } catch (err) {
      if (err instanceof ApiError) setIssues(err.issues);
      setMessage({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(null);
    }
  };
  return { issues, message, busy, run };
}
