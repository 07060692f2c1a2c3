/** How a request to the server failed decides what the agent does next. */

/** The server answered with a non-2xx status. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    /** How long the server asked us to wait (its Retry-After), when it said. */
    readonly retryAfterMs?: number,
    /** The fields a 400 named (its error's issues' paths, e.g. `samples.3.ts`). */
    readonly fields: string[] = [],
  ) {
    super(message);
  }
  /** Worth trying again later with the same payload. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** 401/403: the token is unknown, revoked or of the wrong kind. Retrying cannot help. */
export class AuthError extends HttpError {
  override name = "AuthError";
}

/** No answer: connection refused, DNS, TLS, timeouts, aborted. */
export class NetworkError extends Error {
  override name = "NetworkError";
  readonly retryable = true;
}

/** A 2xx whose body does not follow the protocol: the server accepted the request, but we cannot use its answer. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  readonly retryable = false;
}

export const isRetryable = (err: unknown): boolean =>
  err instanceof NetworkError || (err instanceof HttpError && err.retryable);
