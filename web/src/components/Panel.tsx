import type { ComponentChildren } from "preact";
import { formatRelative } from "../format";
import type { Poll } from "../usePoll";

interface Props<T> {
  id: string;
  title: string;
  poll: Poll<T>;
  /** Shown beside the title (counts, filters). */
  aside?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}

/**
 * A titled section over one polled resource: a loading line until the first answer, an error with
 * a retry when there is nothing to show, and a quiet "could not refresh" note over stale data.
 */
export function Panel<T>({ id, title, poll, aside, children }: Props<T>) {
  const headingId = `${id}-title`;
  return (
    <section class="panel" id={id} aria-labelledby={headingId} aria-busy={poll.loading}>
      <div class="panel-head">
        <h2 id={headingId}>{title}</h2>
        {aside}
      </div>
      {poll.loading ? (
        <p class="note">Loading…</p>
      ) : poll.data === undefined ? (
        <div class="error-box" role="alert">
          <p>
            Could not load {title.toLowerCase()}: {poll.error?.message ?? "unknown error"}
          </p>
          <button type="button" class="btn small" onClick={poll.refresh}>
            Retry
          </button>
        </div>
      ) : (
        <>
          {poll.error && (
            <p class="stale" role="status">
              Could not refresh ({poll.error.message}). Showing data from{" "}
              {poll.updatedAt ? formatRelative(new Date(poll.updatedAt)) : "earlier"}.
            </p>
          )}
          {children(poll.data)}
        </>
      )}
    </section>
  );
}
