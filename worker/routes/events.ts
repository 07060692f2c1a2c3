/** The dashboard's events channel: a WebSocket per signed-in dashboard, held by the org's object. */
import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors";
import { errorResponses, newRouter } from "../lib/openapi";
import { readers } from "../middleware/auth";
import { EVENTS_URL, ORG_HEADER, SESSION_HEADER, TOKEN_HEADER } from "../objects/org-events/socket";
import { orgEvents } from "../objects/org-events/stub";

const socket = createRoute({
  method: "get",
  path: "/",
  summary:
    'WebSocket (Upgrade: websocket): `{type:"changed",topics,hostId,at}` whenever the org\'s issues, commands, services, hosts or config change; send `ping` for `pong`',
  tags: ["events"],
  middleware: [readers()] as const,
  responses: {
    101: { description: "Switching to the WebSocket" },
    ...errorResponses("BAD_REQUEST"),
  },
});

export const eventRoutes = newRouter().openapi(socket, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new ApiError("BAD_REQUEST", "this endpoint needs a WebSocket upgrade (Upgrade: websocket)");
  const { orgId, tokenId, sessionId } = c.var.principal;
  const headers = {
    upgrade: "websocket",
    [ORG_HEADER]: orgId,
    [TOKEN_HEADER]: tokenId ?? "",
    [SESSION_HEADER]: sessionId ?? "",
  };
  // The org's object accepts it with the Hibernation API: an idle dashboard costs nothing.
  const res = await orgEvents(c.env, orgId).fetch(EVENTS_URL, { headers });
  if (!res.webSocket) throw new ApiError("INTERNAL", "the events channel did not open");
  return new Response(null, { status: 101, webSocket: res.webSocket }) as never;
});
