/**
 * The org's events channel (GET /api/v1/events, a WebSocket the session cookie authenticates):
 * one socket for the whole app, reopened with backoff when it drops. A message only says that
 * something changed; every live poll then fetches at once (coalesced over a few ms, so a burst of
 * changes costs one reload). While the socket is open, data that only changes by events is polled
 * rarely, as a fallback; while it is closed, polling is the whole story.
 */
import type { OrgEvent } from "../../worker/schemas/events";

/** A burst of changes (an issue opened with its command) becomes one reload. */
const COALESCE_MS = 10;
/** Keeps proxies from closing an idle socket; answered by the runtime without waking the object. */
const PING_MS = 45_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

type Listener = (events: OrgEvent[]) => void;

const listeners = new Set<Listener>();
const openListeners = new Set<(open: boolean) => void>();
let socket: WebSocket | null = null;
let open = false;
let stopped = true;
let retryMs = RETRY_MIN_MS;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let pingTimer: ReturnType<typeof setInterval> | undefined;
let pending: OrgEvent[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let everOpened = false;

function setOpen(next: boolean) {
  if (open === next) return;
  open = next;
  // for people (a "live" hint can read it) and for the browser tests that wait for the channel
  document.documentElement.dataset.events = next ? "open" : "closed";
  for (const l of openListeners) l(next);
}

function emit(events: OrgEvent[]) {
  pending.push(...events);
  if (flushTimer) return;
  flushTimer = setTimeout(() => {
    flushTimer = undefined;
    const batch = pending;
    pending = [];
    for (const l of listeners) l(batch);
  }, COALESCE_MS);
}

function connect() {
  if (stopped || socket) return;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/events`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    retryMs = RETRY_MIN_MS;
    setOpen(true);
    // after a gap, something may have changed unheard: every live view reloads once
    if (everOpened) emit([]);
    everOpened = true;
    pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), PING_MS);
  };
  ws.onmessage = (e) => {
    if (e.data === "pong") return;
    try {
      emit([JSON.parse(String(e.data)) as OrgEvent]);
    } catch {
      emit([]);
    }
  };
  ws.onclose = () => {
    clearInterval(pingTimer);
    if (socket === ws) socket = null;
    setOpen(false);
    if (stopped) return;
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
  };
}

/** Opens the channel for a signed-in session; the returned function closes it (sign-out). */
export function startEvents(): () => void {
  stopped = false;
  everOpened = false;
  connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    socket?.close(1000, "signed out");
    socket = null;
    setOpen(false);
  };
}

export function onEvents(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function eventsOpen(): boolean {
  return open;
}

export function onEventsOpen(listener: (open: boolean) => void): () => void {
  openListeners.add(listener);
  return () => openListeners.delete(listener);
}
