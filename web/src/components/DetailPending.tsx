import type { ComponentChildren } from "preact";
import type { Detail } from "../hooks/useDetail";
import { Link } from "../router";

interface Props {
  detail: Pick<Detail<unknown>, "loading" | "error" | "missing" | "refresh">;
  /** The list it belongs to, for the breadcrumb. */
  list: { href: string; label: string };
  /** What it is ("issue"), for the breadcrumb and the error line. */
  noun: string;
  /** Said when the API answers 404. */
  missing: ComponentChildren;
}

/** A detail page before it has something to show: loading, not found, or an error with a retry. */
export function DetailPending({ detail, list, noun, missing }: Props) {
  return (
    <section class="panel" aria-busy={detail.loading}>
      <p class="crumbs small">
        <Link href={list.href}>{list.label}</Link> / {noun}
      </p>
      {detail.loading ? (
        <p class="note">Loading…</p>
      ) : (
        <div class="error-box" role="alert">
          <p>{detail.missing ? missing : `Could not load the ${noun}: ${detail.error?.message}`}</p>
          {!detail.missing && (
            <button type="button" class="btn small" onClick={detail.refresh}>
              Retry
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** Over data still shown: the last refresh failed. */
export function StaleNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <p class="stale" role="status">
      Could not refresh ({error.message}).
    </p>
  );
}
