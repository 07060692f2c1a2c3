/**
 * The agent's command socket: a WebSocket the agent opens (still outbound only) and its host
 * object accepts with the Hibernation API, so an idle host costs nothing between commands: no
 * request re-armed every 20 s as with the long-poll, and the object may be evicted from memory
 * while the socket stays open (Cloudflare bills no duration for a hibernated object). The agent's
 * "ping" gets "pong" from the runtime itself, without waking the object. Whatever queues a
 * command hands it to the object with its wake-up (HostObject.changed), which sends it down the
 * socket at once and records the delivery in D1 after (delivery.ts); a send that never arrives is
 * re-delivered like a lost long-poll answer.
 */
export const PING = "ping";
export const PONG = "pong";

/** What the object keeps on each socket (it survives hibernation). */
export interface SocketTag {
  orgId: string;
  hostId: string;
  tokenId: string | null;
}

/** The Worker → object request that opens a socket; the Worker has authenticated the agent. */
export const SOCKET_URL = "https://host-object/commands/socket";
export const ORG_HEADER = "x-selfheal-org";
export const HOST_HEADER = "x-selfheal-host";
export const TOKEN_HEADER = "x-selfheal-token-id";
