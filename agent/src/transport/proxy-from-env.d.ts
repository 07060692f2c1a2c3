// proxy-from-env ships no types; the one function the agent uses (@types/proxy-from-env would add a package for it).
declare module "proxy-from-env" {
  /** The proxy URL the *_PROXY / NO_PROXY environment variables name for this URL, or "" for none. */
  export function getProxyForUrl(url: string | URL): string;
}
