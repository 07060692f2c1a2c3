import type { ComponentChildren } from "preact";
import type { List } from "../types";
import type { Poll } from "../usePoll";

interface Props<T> {
  poll: Poll<List<T>>;
  /** What the list holds, for the error line ("tokens"). */
  what: string;
  /** Shown when the list is empty; without it an empty list is handed to children. */
  empty?: string;
  children: (items: T[]) => ComponentChildren;
}

/** A polled list inside a section: a loading line, an error while there is nothing to show, or the list. */
export function Loaded<T>({ poll, what, empty, children }: Props<T>) {
  if (poll.loading) return <p class="note">Loading…</p>;
  if (poll.error && !poll.data)
    return (
      <p class="error-text" role="alert">
        Could not load {what}: {poll.error.message}
      </p>
    );
  const items = poll.data?.items ?? [];
  if (items.length === 0 && empty) return <p class="empty">{empty}</p>;
  return <>{children(items)}</>;
}
