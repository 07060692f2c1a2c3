import { useCallback } from "preact/hooks";
import { ApiError } from "../api";
import { useLive } from "../live";
import { ISSUE_DATA, type Poll, usePoll } from "../usePoll";

export interface Detail<T> extends Poll<T> {
  /** The API answered 404: there is no such thing (in this org). */
  missing: boolean;
}

/**
 * One resource by id (an issue, an incident), kept fresh like the lists: reloaded on the org's
 * events and at the session's pace, loaded anew when the id changes.
 */
export function useDetail<T>(load: (id: string, signal: AbortSignal) => Promise<T>, id: string): Detail<T> {
  const { intervalMs } = useLive();
  const poll = usePoll(
    useCallback((s: AbortSignal) => load(id, s), [load, id]),
    intervalMs,
    ISSUE_DATA,
  );
  return { ...poll, missing: poll.error instanceof ApiError && poll.error.status === 404 };
}
