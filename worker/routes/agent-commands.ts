/** The agent's long-poll for commands queued between reports (agent stays outbound-only). */
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonContent, newRouter } from "../lib/openapi";
import { allow } from "../middleware/auth";
import { HOST_HEADER, ORG_HEADER, SOCKET_URL, TOKEN_HEADER } from "../objects/host/socket";
import { hostObject, unwrap } from "../objects/host/stub";
import { AgentCommandsSchema } from "../schemas/recovery";
import { signCommands } from "../services/ingest/command-signing";

/** Under the agent's request timeout (30 s) and common proxies' idle timeouts. */
export const MAX_WAIT_SECONDS = 25;
/** Where report answers tell agents their command socket is (agents without one long-poll). */
export const COMMAND_SOCKET_PATH = "/api/v1/agent/commands/socket";
/** What report answers tell agents to ask for: under the cap, so a slow hop still fits. */
export const LONG_POLL_SECONDS = 20;

const poll = createRoute({
  method: "get",
  path: "/commands",
  summary:
    "Long-poll: answers as soon as a command is queued for this host (marking it delivered), or with none after `wait` seconds",
  tags: ["agent"],
  middleware: [allow("agent")] as const,
  request: {
    query: z.object({
      wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(0).openapi({ example: 20 }),
    }),
  },
  responses: {
    200: jsonContent(AgentCommandsSchema, "Commands for this host, now delivered"),
    ...errorResponses("BAD_REQUEST"),
  },
});

const socket = createRoute({
  method: "get",
  path: "/commands/socket",
  summary:
    "WebSocket (Upgrade: websocket): the host's commands as `{commands}` messages as soon as they are queued (marked delivered); send `ping` for `pong`",
  tags: ["agent"],
  middleware: [allow("agent")] as const,
  responses: {
    101: { description: "Switching to the WebSocket" },
    ...errorResponses("BAD_REQUEST"),
  },
});

export const agentCommandRoutes = newRouter()
  .openapi(socket, async (c) => {
    const { orgId, hostId } = c.var.principal;
    if (!hostId) throw new ApiError("FORBIDDEN", "this agent token is bound to no host");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      throw new ApiError("BAD_REQUEST", "this endpoint needs a WebSocket upgrade (Upgrade: websocket)");
    // The host's object accepts it with the Hibernation API: an idle socket costs nothing.
    const tokenId = c.var.principal.tokenId ?? "";
    const headers = {
      upgrade: "websocket",
      [ORG_HEADER]: orgId,
      [HOST_HEADER]: hostId,
      [TOKEN_HEADER]: tokenId,
    };
    const res = await hostObject(c.env, hostId).fetch(SOCKET_URL, { headers });
    if (!res.webSocket) throw new ApiError("UNAUTHORIZED", "unknown, expired or revoked token");
    // a response of our own (the object's has immutable headers) for the security headers to go on
    return new Response(null, { status: 101, webSocket: res.webSocket }) as never;
  })
  .openapi(poll, async (c) => {
    const { orgId, hostId } = c.var.principal;
    if (!hostId) throw new ApiError("FORBIDDEN", "this agent token is bound to no host");
    const { wait } = c.req.valid("query");
    // Held by the host's object, which answers as soon as something queues a command (no polling).
    const { tokenId } = c.var.principal;
    const commands = unwrap(
      await hostObject(c.env, hostId).waitForCommands(orgId, hostId, tokenId, wait * 1000),
    );
    return c.json(
      { commands: await signCommands(c.env.SELFHEAL_COMMAND_SIGNING_KEY, hostId, commands) },
      200,
    );
  });
