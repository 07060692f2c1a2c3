import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useLive } from "../live";
import { Link } from "../router";

const NAV = [
  { href: "/", label: "Overview", match: (p: string) => p === "/" || p.startsWith("/hosts/") },
  { href: "/issues", label: "Issues", match: (p: string) => p.startsWith("/issues") },
  { href: "/incidents", label: "Incidents", match: (p: string) => p.startsWith("/incidents") },
  { href: "/history", label: "History", match: (p: string) => p === "/history" },
  { href: "/rules", label: "Rules", match: (p: string) => p === "/rules" },
  { href: "/settings", label: "Settings", match: (p: string) => p === "/settings" },
  { href: "/emergency", label: "Emergency", match: (p: string) => p === "/emergency" },
];

interface Props {
  path: string;
  title: string;
  onSignOut: () => void;
  children: ComponentChildren;
}

/**
 * The frame around every page: a skip link, the brand, the navigation and the session. After an
 * in-app navigation the new page's main region takes focus, so keyboard and screen-reader users
 * land on the new content instead of the link they pressed.
 */
export function Shell({ path, title, onSignOut, children }: Props) {
  const { session } = useLive();
  const role = session.scope === "admin" || session.scope === "operator" ? session.scope : "read-only";
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    document.title = `${title} · selfheal`;
  }, [title]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    main.current?.focus({ preventScroll: true });
  }, [path]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          <span class="logo" aria-hidden="true" /> selfheal
        </Link>
        <nav class="nav" aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.href} href={n.href} aria-current={n.match(path) ? "page" : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span class="who small">
          {session.name} <span class="badge tone-scope">{role}</span>
        </span>
        <button type="button" class="btn small" onClick={onSignOut} data-testid="signout">
          Sign out
        </button>
      </header>
      <main class="page" id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
