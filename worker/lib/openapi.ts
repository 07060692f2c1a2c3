/**
 * Shared pieces for zod-openapi routes: the sub-app factory (whose validation failures all take
 * the one error path), the error schema, and response helpers.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ApiError, codeToStatus, type ErrorCode, errorCodes, type FieldIssue } from "./errors";

function toIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key].join("."), message: `unknown field "${key}"` }));
    }
    return [{ path: path.join(".") || "(root)", message: issue.message }];
  });
}

/** Throws the 400 that every zod failure becomes (bodies, queries and path parameters alike). */
export function validationError(error: z.ZodError, where = "request"): ApiError {
  const issues = toIssues(error);
  const names = [...new Set(issues.map((i) => i.path))].slice(0, 5).join(", ");
  return new ApiError("BAD_REQUEST", `invalid ${where}: ${names}`, issues);
}

const targetName: Record<string, string> = { json: "body", query: "query", param: "path", header: "headers" };

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, targetName[result.target] ?? result.target);
    },
  });
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      requestId: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi("Error");

const errorText: Record<ErrorCode, string> = {
  BAD_REQUEST: "Invalid input",
  UNAUTHORIZED: "Missing, unknown or revoked credentials",
  FORBIDDEN: "The token's scope does not allow this",
  NOT_FOUND: "Not found in the caller's org",
  METHOD_NOT_ALLOWED: "Method not allowed",
  CONFLICT: "The resource is not in a state that allows this",
  PAYLOAD_TOO_LARGE: "Body over the size limit (64 KB; 256 KB for agent reports)",
  UNSUPPORTED_MEDIA_TYPE: "Body is not application/json",
  RATE_LIMITED: "Too many requests",
  INTERNAL: "Internal error",
};

/** The error responses a route documents (every authenticated route can answer 401 and 403). */
export function errorResponses(...codes: ErrorCode[]) {
  const all = new Set<ErrorCode>(["UNAUTHORIZED", "FORBIDDEN", ...codes]);
  return Object.fromEntries(
    [...all].map((code) => [
      codeToStatus(code),
      { description: errorText[code], content: { "application/json": { schema: ErrorSchema } } },
    ]),
  );
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

/** A list response: `{"items": [...]}`. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

// The `{id}` parameters live with the schemas, which the dashboard type-checks without the Worker runtime.
export { idParam, idParamOf } from "../schemas/common";
