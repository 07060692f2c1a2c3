/** The Worker → org object request that opens a dashboard's events socket, and what each socket keeps. */
export const EVENTS_URL = "https://org-events/socket";
export const ORG_HEADER = "x-selfheal-org";
export const TOKEN_HEADER = "x-selfheal-token-id";
export const SESSION_HEADER = "x-selfheal-session-id";
export const EVENTS_PING = "ping";
export const EVENTS_PONG = "pong";

export interface ListenerTag {
  orgId: string;
  /** The session's token (null for the environment's admin token), closed when it is revoked. */
  tokenId: string | null;
  /** The dashboard session (absent for sockets opened with a bearer token), closed when it ends. */
  sessionId?: string | null;
}
