/**
 * One Durable Object per org (`idFromName(orgId)`) holding the open dashboards' WebSockets with
 * the Hibernation API. Whatever changes an org's issues, commands or services (a host object after
 * a report that wrote D1, a dashboard action, the cron) calls `notify`, and the object sends one
 * small message down every socket. Between changes the object sleeps: an idle dashboard costs an
 * open socket and nothing else, and its "ping" gets "pong" from the runtime without waking it.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import type { OrgEvent } from "../../schemas/events";
import {
  EVENTS_PING,
  EVENTS_PONG,
  type ListenerTag,
  ORG_HEADER,
  SESSION_HEADER,
  TOKEN_HEADER,
} from "./socket";

export class OrgEvents extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(EVENTS_PING, EVENTS_PONG));
  }

  /** Opens a dashboard's socket; only the Worker, having authenticated the session, calls it. */
  async fetch(request: Request): Promise<Response> {
    const orgId = request.headers.get(ORG_HEADER);
    if (request.headers.get("upgrade") !== "websocket" || !orgId)
      return new Response("a WebSocket upgrade from the Worker is required", { status: 400 });
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    const tokenId = request.headers.get(TOKEN_HEADER) || null;
    const sessionId = request.headers.get(SESSION_HEADER) || null;
    server.serializeAttachment({ orgId, tokenId, sessionId } satisfies ListenerTag);
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(): Promise<void> {
    // dashboards send only pings, answered by the runtime
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
  }

  /** Sends the change to every open dashboard of `orgId` (a socket of another org never hears it). */
  notify(orgId: string, event: OrgEvent): number {
    const message = JSON.stringify(event);
    let sent = 0;
    for (const ws of this.ctx.getWebSockets()) {
      if ((ws.deserializeAttachment() as ListenerTag).orgId !== orgId) continue;
      try {
        ws.send(message);
        sent++;
      } catch {
        ws.close(1011, "send failed");
      }
    }
    return sent;
  }

  /** A token was revoked: the dashboards signed in with it stop hearing the org at once. */
  tokenRevoked(tokenId: string): void {
    for (const ws of this.ctx.getWebSockets())
      if ((ws.deserializeAttachment() as ListenerTag).tokenId === tokenId) ws.close(4001, "token revoked");
  }

  /** Sessions ended (sign-out, revoked, member removed): their dashboards stop hearing at once. */
  sessionsEnded(sessionIds: string[]): void {
    for (const ws of this.ctx.getWebSockets()) {
      const { sessionId } = ws.deserializeAttachment() as ListenerTag;
      if (sessionId && sessionIds.includes(sessionId)) ws.close(4001, "session ended");
    }
  }

  /** Dashboards listening right now (tests and the idle-cost check). */
  listeners(): number {
    return this.ctx.getWebSockets().length;
  }
}
