/**
 * One error shape for every route: `{"error":{"code","message","requestId","issues"?}}`.
 * Services throw `ApiError`; the app's onError turns it (and anything else) into that shape.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const errorCodes = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export function codeToStatus(code: ErrorCode): ContentfulStatusCode {
  return statusOf[code];
}

function statusToCode(status: number): ErrorCode {
  const found = errorCodes.find((code) => statusOf[code] === status);
  return found ?? (status >= 500 ? "INTERNAL" : "BAD_REQUEST");
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Shorthands for the errors services raise most. */
export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);
export const conflict = (message: string) => new ApiError("CONFLICT", message);

export function errorBody(code: ErrorCode, message: string, requestId: string, issues?: FieldIssue[]) {
  return { error: { code, message, requestId, ...(issues?.length ? { issues } : {}) } };
}

/** Maps any thrown value to the error shape; never leaks a stack trace. */
export function handleError(err: unknown, c: Context) {
  const requestId: string = c.get("requestId") ?? "req_unknown";
  if (err instanceof ApiError) {
    return c.json(errorBody(err.code, err.message, requestId, err.issues), codeToStatus(err.code));
  }
  if (err instanceof HTTPException) {
    const code = statusToCode(err.status);
    const message = err.status === 413 ? "request body is too large" : err.message || code;
    return c.json(errorBody(code, message, requestId), codeToStatus(code));
  }
  console.error(JSON.stringify({ requestId, error: String(err), stack: (err as Error)?.stack }));
  return c.json(errorBody("INTERNAL", "internal error", requestId), 500);
}
