import { Link } from "../router";

export function NotFound() {
  return (
    <section class="panel">
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{location.pathname}</code>. <Link href="/">Go to the overview</Link>.
      </p>
    </section>
  );
}
