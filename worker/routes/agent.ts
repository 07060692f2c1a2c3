/** The agent protocol endpoints; request and response schemas come from agent/protocol (through lib/wire). */
import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonBody, jsonContent, newRouter } from "../lib/openapi";
import {
  enrollRequestSchema,
  enrollResponseSchema,
  refreshRequestSchema,
  reportRequestSchema,
  reportResponseSchema,
} from "../lib/wire";
import { allow } from "../middleware/auth";
import { hostObject, tellRevoked, unwrap, wakeHosts } from "../objects/host/stub";
import { signCommands } from "../services/ingest/command-signing";
import { enrollHost } from "../services/ingest/enroll";
import { refreshHostToken } from "../services/ingest/enroll/refresh";
import { serverTiming } from "../services/ingest/report/timing";
import { deliverNotifications } from "../services/notify";
import { runEdgeActions } from "../services/recovery/action-webhooks/run";
import { currentActor } from "../services/tenancy/audit";
import { COMMAND_SOCKET_PATH, LONG_POLL_SECONDS } from "./agent-commands";

const enroll = createRoute({
  method: "post",
  path: "/enroll",
  summary:
    "Enrol a host: returns its agent token (once). A name already enrolled needs the host's key proof or its re-enroll token (else 409); the host's earlier agent tokens are revoked",
  tags: ["agent"],
  middleware: [allow("enroll", "admin")] as const,
  request: { body: jsonBody(enrollRequestSchema.openapi("EnrollRequest")) },
  responses: {
    200: jsonContent(enrollResponseSchema.openapi("EnrollResponse"), "The host and its agent token"),
    ...errorResponses("BAD_REQUEST", "CONFLICT", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const refresh = createRoute({
  method: "post",
  path: "/refresh",
  summary:
    "A fresh agent token for a host that proves its host key (no bearer token: the signed proof is the credential)",
  tags: ["agent"],
  security: [],
  request: { body: jsonBody(refreshRequestSchema.openapi("RefreshRequest")) },
  responses: {
    200: jsonContent(enrollResponseSchema, "The host and its new agent token"),
    ...errorResponses("BAD_REQUEST", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

const report = createRoute({
  method: "post",
  path: "/report",
  summary: "Samples, service states and command results in; queued commands and settings out",
  tags: ["agent"],
  middleware: [allow("agent")] as const,
  request: { body: jsonBody(reportRequestSchema.openapi("ReportRequest")) },
  responses: {
    200: jsonContent(
      reportResponseSchema.openapi("ReportResponse"),
      "Commands for this host and its settings",
    ),
    ...errorResponses("BAD_REQUEST", "NOT_FOUND", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"),
  },
});

export const agentRoutes = newRouter()
  .openapi(enroll, async (c) =>
    c.json(
      await enrollHost(c.var.db, c.var.principal, c.req.valid("json")).then(async (enrolled) => {
        await tellRevoked(c.env, c.var.db, { hostId: enrolled.hostId }); // the host's earlier agent tokens
        return enrolled;
      }),
      200,
    ),
  )
  .openapi(refresh, async (c) =>
    c.json(
      await refreshHostToken(c.var.db, c.req.valid("json")).then(async (refreshed) => {
        await tellRevoked(c.env, c.var.db, { hostId: refreshed.hostId }); // the token it replaces
        return refreshed;
      }),
      200,
    ),
  )
  .openapi(report, async (c) => {
    // c.get, not c.var: each read of c.var copies every variable of the request into a new object.
    const { orgId, hostId } = c.get("principal");
    if (!hostId) throw new ApiError("FORBIDDEN", "this agent token is bound to no host");
    const db = c.get("db");
    // The host's object runs the report on the state it keeps: a steady report makes no D1 call.
    const outcome = await hostObject(c.env, hostId).report(
      orgId,
      hostId,
      c.req.valid("json"),
      currentActor(),
    );
    const { response, followUps, cold } = unwrap(outcome, db.meter);
    if (followUps.notify) c.executionCtx.waitUntil(deliverNotifications(c.env, { linger: true }));
    if (followUps.edgeActions)
      c.executionCtx.waitUntil(runEdgeActions(db, orgId, hostId).then(() => wakeHosts(c.env, [hostId]))); // webhook: actions
    c.header("Server-Timing", serverTiming(db.meter, cold)); // bench:ingest reads it
    const commands = await signCommands(c.env.SELFHEAL_COMMAND_SIGNING_KEY, hostId, response.commands);
    return c.json(
      { ...response, commands, longPollSeconds: LONG_POLL_SECONDS, commandSocket: COMMAND_SOCKET_PATH },
      200,
    );
  });
