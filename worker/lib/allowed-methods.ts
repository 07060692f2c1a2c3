/** Which methods an app routes for a path, so a wrong method gets 405 rather than 404. */
interface RouteInfo {
  method: string;
  path: string;
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

export function allowedMethods(routes: RouteInfo[]): (path: string) => string[] {
  let compiled: { method: string; pattern: RegExp }[] | undefined;
  return (path) => {
    compiled ??= routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(`^${escapeRegExp(r.path).replace(/\/:[^/]+/g, "/[^/]+")}/?$`),
      }));
    return [...new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  };
}
