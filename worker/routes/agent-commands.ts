/** The agent's long-poll for commands queued between reports (agent stays outbound-only). */
import { createRoute, z } from "@hono/zod-openapi";
import { commandSchema } from "../../agent/protocol";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonContent, newRouter } from "../lib/openapi";
import { allow } from "../middleware/auth";
import { hostObject, unwrap } from "../objects/host/stub";
import { signCommands } from "../services/command-signing";

/** Under the agent's request timeout (30 s) and common proxies' idle timeouts. */
export const MAX_WAIT_SECONDS = 25;
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
    200: jsonContent(
      z.object({ commands: z.array(commandSchema) }).openapi("AgentCommands"),
      "Commands for this host, now delivered",
    ),
    ...errorResponses("BAD_REQUEST"),
  },
});

export const agentCommandRoutes = newRouter().openapi(poll, async (c) => {
  const { orgId, hostId } = c.var.principal;
  if (!hostId) throw new ApiError("FORBIDDEN", "this agent token is bound to no host");
  const { wait } = c.req.valid("query");
  // Held by the host's object, which answers as soon as something queues a command (no polling).
  const commands = unwrap(await hostObject(c.env, hostId).waitForCommands(orgId, hostId, wait * 1000));
  return c.json({ commands: await signCommands(c.env.SELFHEAL_COMMAND_SIGNING_KEY, hostId, commands) }, 200);
});
