/**
 * One HTTP attempt and what it means: delivered, retry later (5xx, 408, 429, network), or
 * final (any other 4xx: the message itself is wrong, resending it cannot help).
 */
export const SEND_TIMEOUT_MS = 10_000;
export const MAX_ATTEMPTS = 10;
const MAX_DELAY_MS = 60 * 60_000;

export type SendOutcome =
  | { kind: "delivered"; status: number }
  | { kind: "retry"; status: number | null; error: string; retryAfterMs: number | null }
  | { kind: "final"; status: number; error: string };

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function classify(status: number, body: string, retryAfter: string | null, now: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  const error = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}`;
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: "retry", status, error, retryAfterMs: parseRetryAfter(retryAfter, now) };
  }
  return { kind: "final", status, error };
}

/**
 * Exponential backoff: base · 2^(attempts-1), capped at an hour, with ±20 % jitter from `rand`.
 * A Retry-After the receiver sent wins when it asks for longer.
 */
export function retryDelayMs(attempts: number, baseMs: number, retryAfterMs: number | null, rand = 0.5) {
  const exp = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exp * (0.8 + 0.4 * rand));
  return Math.min(MAX_DELAY_MS, Math.max(jittered, retryAfterMs ?? 0));
}

export async function send(url: string, body: string, headers: Record<string, string>, now: number) {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "selfheal-notifier/1", ...headers },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await res.text().catch(() => "");
    return classify(res.status, text, res.headers.get("retry-after"), now);
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { kind: "retry", status: null, error: error.slice(0, 300), retryAfterMs: null } as SendOutcome;
  }
}
