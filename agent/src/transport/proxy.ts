/**
 * HTTP(S) proxies from the standard environment variables: HTTPS_PROXY for https servers,
 * HTTP_PROXY for http ones (either case; ALL_PROXY as a fallback), NO_PROXY honoured. The API and
 * the command socket both go through an HTTP CONNECT tunnel (https-proxy-agent), so TLS runs end
 * to end and a proxy never sees the tokens. proxy-from-env picks the proxy per URL as curl does.
 * Both are loaded only when one of these variables is set: an agent without a proxy pays nothing.
 */
import type http from "node:http";

const VARS = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];

export const proxyWanted = (env: NodeJS.ProcessEnv = process.env): boolean => VARS.some((k) => env[k]);

/** The agent that tunnels requests to `target` through the proxy the environment names, if any. */
export async function proxyAgent(
  target: URL,
  opts: http.AgentOptions & { ca?: string | Buffer } = {},
): Promise<http.Agent | undefined> {
  if (!proxyWanted()) return undefined;
  const { getProxyForUrl } = await import("proxy-from-env");
  const proxy = getProxyForUrl(target.href);
  if (!proxy) return undefined;
  const { HttpsProxyAgent } = await import("https-proxy-agent");
  return new HttpsProxyAgent(new URL(proxy), opts as ConstructorParameters<typeof HttpsProxyAgent>[1]);
}

/** The proxy's address without any credentials in it, for the start notice. */
export function proxyLabel(target: URL): string | undefined {
  if (!proxyWanted()) return undefined;
  const env = process.env;
  const raw =
    target.protocol === "https:"
      ? (env.https_proxy ?? env.HTTPS_PROXY ?? env.all_proxy ?? env.ALL_PROXY)
      : (env.http_proxy ?? env.HTTP_PROXY ?? env.all_proxy ?? env.ALL_PROXY);
  try {
    return raw ? new URL(raw).host : undefined;
  } catch {
    return raw ? "(unreadable proxy URL)" : undefined;
  }
}
