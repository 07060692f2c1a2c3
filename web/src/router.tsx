/**
 * Client-side routing on the history API, without a library. The Worker answers every non-API
 * path with index.html, so any of these URLs can be opened, bookmarked or reloaded.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

const EVENT = "selfheal:navigate";

export interface Location {
  path: string;
  query: URLSearchParams;
}

const read = (): Location => ({ path: location.pathname, query: new URLSearchParams(location.search) });

/** Goes to `to` (a path with an optional query) without a reload; `replace` keeps history short. */
export function navigate(to: string, { replace = false } = {}): void {
  if (to === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  dispatchEvent(new Event(EVENT));
}

/** The current location, re-rendering on navigate() and on the browser's back and forward. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    addEventListener(EVENT, update);
    addEventListener("popstate", update);
    return () => {
      removeEventListener(EVENT, update);
      removeEventListener("popstate", update);
    };
  }, []);
  return loc;
}

export type Route =
  | { page: "overview" }
  | { page: "host"; id: string }
  | { page: "issues" }
  | { page: "issue"; id: string }
  | { page: "incidents" }
  | { page: "incident"; id: string }
  | { page: "history" }
  | { page: "rules" }
  | { page: "settings" }
  | { page: "emergency" }
  | { page: "not-found" };

/** Path → page; ids are decoded, trailing slashes ignored. */
export function match(path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, id, extra] = parts;
  if (extra !== undefined) return { page: "not-found" };
  if (!first) return { page: "overview" };
  if (first === "hosts" && id) return { page: "host", id };
  if (first === "issues") return id ? { page: "issue", id } : { page: "issues" };
  if (first === "incidents") return id ? { page: "incident", id } : { page: "incidents" };
  if (id) return { page: "not-found" };
  if (first === "history" || first === "rules" || first === "settings" || first === "emergency")
    return { page: first };
  return { page: "not-found" };
}

interface AnchorProps {
  href: string;
  class?: string;
  "aria-current"?: "page";
  "data-testid"?: string;
  children: ComponentChildren;
}

/** An ordinary link (middle-click, copy link and keyboard all work) that navigates in place. */
export function Link({ href, children, ...rest }: AnchorProps) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
