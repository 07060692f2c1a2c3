/**
 * A host's Durable Object (`idFromName(hostId)`), the home of its reports: it keeps the host's hot
 * state in memory and in its own storage, runs the report pipeline (services/ingest/report) on it, holds
 * the agent's long-poll for commands, and keeps the host's metric history. D1 is written only on
 * change (issues, commands, results, history rows, notifications, audit, services) and with the
 * host summary at most once a minute; a steady report makes no D1 call.
 *
 * The Worker reaches an object only after authenticating the agent (or the user) and resolving the
 * host in the caller's org, and every call carries that org: an object answers one org only.
 */
import { DurableObject } from "cloudflare:workers";
import { THRESHOLD_METRICS } from "../../../agent/engine";
import type { Command } from "../../../agent/protocol";
import { createDb, type Db, runBatch } from "../../db/client";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors";
import { silenceAfterMs } from "../../services/fleet/silence/policy";
import { isSilence, resumeStatements } from "../../services/fleet/silence/resume";
import { dueForAgent, REDELIVER_AFTER_MS } from "../../services/ingest/agent-commands";
import { handleReport, type ReportBody, type ReportHandled } from "../../services/ingest/report";
import { toWireCommand } from "../../services/recovery/queue";
import { retentionOf } from "../../services/retention/run";
import { type Actor, currentActor, runAs } from "../../services/tenancy/audit";
import { tellOrg } from "../org-events/stub";
import { ContextCache } from "./context";
import { Delivery, type HandedCommand, REDELIVER_KEY } from "./delivery";
import { History, type Range, type SeriesItem, sampleItem } from "./history";
import { type HotState, HotStore, servicesKey } from "./hot-state";
import {
  alarmTimes,
  keeperFor,
  RETENTION_EVERY_MS,
  SUMMARY_LATE_MS,
  summaryDue,
  summaryWrites,
} from "./keeper";
import { type Outcome, type ReportOutcome, upDown } from "./outcome";
import { RevokedTokens } from "./revoked";
import { HOST_HEADER, ORG_HEADER, PING, PONG, type SocketTag, TOKEN_HEADER } from "./socket";
import { StartRead } from "./start-read";
import { accrue } from "./uptime";
import { Waiters } from "./waiters";

export type { Outcome, ReportOutcome } from "./outcome";

export class HostObject extends DurableObject<Env> {
  private hot: HotState | null;
  private readonly store: HotStore;
  /** The summary write a report started after its answer, while it runs (one at a time). */
  private flushing: Promise<void> | null = null;
  private readonly cache: ContextCache;
  private readonly waiters = new Waiters();
  /** Commands to a waiting agent (delivery.ts); the cache and hot state are read when it runs. */
  private readonly delivery = new Delivery(
    this.ctx,
    this.env,
    () => this.cache,
    () => this.hot,
    this.waiters,
    (at) => this.arm(at),
  );
  private readonly history: History;
  private readonly revoked: RevokedTokens;
  /** Reports of one host run one at a time (an agent retrying while its first report is in flight). */
  private queue: Promise<unknown> = Promise.resolve();
  private alarmAt: number | null | undefined;
  /** Reports handled since this instance was made: the first one found the object cold. */
  private reports = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // one query for every key the object reads at start, not one each (start-read.ts)
    const first = new StartRead(ctx.storage);
    this.store = new HotStore(ctx.storage);
    this.hot = this.store.read(first);
    this.cache = new ContextCache(ctx.storage, first);
    this.history = new History(ctx.storage, () => this.hot?.hostId ?? "", first);
    this.revoked = new RevokedTokens(ctx.storage, first);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Opens the agent's command socket (socket.ts); only the Worker, having authenticated the agent, calls it. */
  async fetch(request: Request): Promise<Response> {
    const orgId = request.headers.get(ORG_HEADER);
    const hostId = request.headers.get(HOST_HEADER);
    const tokenId = request.headers.get(TOKEN_HEADER);
    if (request.headers.get("upgrade") !== "websocket" || !orgId || !hostId)
      return new Response("a WebSocket upgrade from the Worker is required", { status: 400 });
    this.own(orgId, hostId);
    if (this.revoked.has(tokenId)) return new Response("revoked token", { status: 401 });
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ orgId, hostId, tokenId } satisfies SocketTag);
    // what was queued while the agent had no socket goes out at once
    this.ctx.waitUntil(
      this.delivery
        .push()
        .catch((err) => console.error(JSON.stringify({ error: "push failed", detail: String(err) }))),
    );
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(): Promise<void> {
    // the agent sends only pings, answered by the runtime (setWebSocketAutoResponse)
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
  }

  /** Handles one report; storage and D1 are written before it answers. `actor`: whom audit rows name. */
  report(orgId: string, hostId: string, body: ReportBody, actor: Actor): Promise<ReportOutcome> {
    const run = this.queue.then(() =>
      runAs(actor, () => this.guarded((db) => this.runReport(db, orgId, hostId, body))),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runReport(db: Db, orgId: string, hostId: string, body: ReportBody) {
    this.own(orgId, hostId);
    this.authorized(currentActor().tokenId);
    const cold = this.reports++ === 0;
    const now = Date.now();
    let ctx = await this.cache.context(db, orgId, hostId, now, this.hot);
    const lastSeenAt = this.hot?.host.lastSeenAt ?? null;
    const silenceMs = silenceAfterMs(ctx.config);
    // Back after a silence: the cron may have opened host_offline meanwhile, so read D1 again.
    if (lastSeenAt !== null && now - lastSeenAt > silenceMs) {
      this.cache.stale();
      ctx = await this.cache.context(db, orgId, hostId, now, this.hot);
    }
    const resumed = ctx.issues.some(isSilence);
    if (resumed) {
      await runBatch(db, resumeStatements(db, ctx.issues, ctx.host.name, lastSeenAt, now));
      ctx.issues = ctx.issues.filter((i) => !isSilence(i));
      this.cache.stale();
    }
    const keeper = keeperFor(db, ctx, this.cache.d1Host ?? ctx.host, this.hot, now);
    let handled: ReportHandled;
    try {
      handled = await handleReport(db, ctx, body, now, keeper);
    } catch (err) {
      this.cache.drop(); // the pipeline works on the cached rows in place
      throw err;
    }
    this.history.insert(keeper.kept.samples);
    // Open dashboards hear of a change (an issue, a command, a service going down), never of a steady report.
    const servicesMoved =
      body.services !== undefined && upDown(body.services) !== upDown(this.hot?.services ?? ctx.services);
    if (handled.changed || servicesMoved || resumed)
      this.ctx.waitUntil(tellOrg(this.env, orgId, ["issues", "commands", "services"], hostId));
    this.hot = {
      orgId,
      hostId,
      host: handled.host,
      services: body.services
        ? body.services.map(({ name, status, stopped, detail }) => ({
            name,
            status,
            stopped: Boolean(stopped),
            detail: detail ?? null,
          }))
        : (this.hot?.services ?? ctx.services),
      servicesKey: body.services ? servicesKey(body.services) : (this.hot?.servicesKey ?? null),
      summaryAt: keeper.kept.summary ? now : (this.hot?.summaryAt ?? 0),
      retainedAt: this.hot?.retainedAt ?? now,
      uptime: accrue(this.hot?.uptime, lastSeenAt, now, silenceMs, this.hot?.services ?? ctx.services),
      // a new object's first flush comes with its first summary, a minute on
      uptimeFlushedAt: this.hot?.uptimeFlushedAt ?? now,
    };
    this.store.write(this.hot);
    if (keeper.kept.summary) this.cache.summaryWritten(keeper.kept.summary);
    if (handled.changed) this.cache.stale();
    if (!this.flushing && summaryDue(this.hot, now)) {
      // after the answer (a turn of the event loop: building the batch would hold it up): storage
      // is written, D1's summary may lag (the next report or the alarm retries a failed write)
      this.flushing = new Promise((next) => setTimeout(next, 0))
        .then(() => this.flushSummary(Date.now()))
        .catch((err) => console.error(JSON.stringify({ error: "summary write failed", detail: String(err) })))
        .finally(() => {
          this.flushing = null;
        });
      this.ctx.waitUntil(this.flushing);
      // the alarm set earlier stays the fallback; an object without one gets it
      await this.arm(now + SUMMARY_LATE_MS);
    } else await this.schedule(now);
    const { followUps } = handled;
    return {
      response: handled.response,
      followUps: { ...followUps, notify: followUps.notify || resumed },
      cold,
    };
  }

  /**
   * The agent's long-poll: answers with the host's claimable commands at once, or waits until
   * something queues one (changed()), a delivered one becomes due for re-delivery, or `waitMs`.
   */
  waitForCommands(
    orgId: string,
    hostId: string,
    tokenId: string | null,
    waitMs: number,
  ): Promise<Outcome<Command[]>> {
    return this.guarded(async (db) => {
      this.own(orgId, hostId);
      this.authorized(tokenId);
      const deadline = Date.now() + waitMs;
      for (;;) {
        await this.delivery.recorded; // a command just handed to a waiting agent is marked delivered first
        const now = Date.now();
        const { inflight } = await this.cache.context(db, orgId, hostId, now, this.hot);
        if (inflight.some((c) => dueForAgent(c, now))) {
          const rows = await this.delivery.claim(db, orgId, hostId, now);
          this.cache.stale();
          if (rows.length) return rows.map(toWireCommand);
        }
        if (now + 1 >= deadline) return [];
        const redeliverAt = inflight
          .filter((c) => c.status === "delivered" && c.deliveredAt !== null && c.expiresAt > now)
          .map((c) => (c.deliveredAt as number) + REDELIVER_AFTER_MS);
        const handed = await this.waiters.wait(Math.min(deadline, ...redeliverAt) - now, orgId, hostId);
        if (handed.length) return handed.map(toWireCommand);
      }
    });
  }

  /**
   * Something outside the report wrote this host's commands or issues in D1 (a command queued, an
   * approval, the cron's sweep): the cached copy is stale, and a waiting agent gets the commands
   * the writer queued (`handed`) at once, or looks for them.
   */
  async changed(handed: HandedCommand[] = []): Promise<void> {
    this.cache.stale();
    // the command goes out first: the dashboards' notice must not hold up the agent's command
    // the writer's change is done whatever happens here: a command not sent now goes with the next report
    const pushed = this.delivery
      .changed(handed)
      .catch((err) => console.error(JSON.stringify({ error: "push failed", detail: String(err) })));
    if (this.hot)
      this.ctx.waitUntil(tellOrg(this.env, this.hot.orgId, ["issues", "commands"], this.hot.hostId));
    await pushed;
  }

  /** These agent tokens of the host were revoked: refused from now on, their open sockets closed. */
  tokensRevoked(tokenIds: string[]): void {
    this.revoked.add(tokenIds);
    for (const ws of this.ctx.getWebSockets())
      if (this.revoked.has((ws.deserializeAttachment() as SocketTag).tokenId))
        ws.close(4001, "token revoked");
  }

  /** The org's config or rules changed: read them (with the rest of the D1 context) on the next report. */
  configChanged(): void {
    this.cache.stale();
  }

  /** Agents waiting right now, on the long-poll or a socket (bench:idle and tests). */
  waiting(): number {
    return this.waiters.size + this.ctx.getWebSockets().length;
  }

  /** The host's columns as the object holds them (its page), or null before its first report. */
  summary(orgId: string, hostId: string) {
    return this.guarded(async () => {
      this.own(orgId, hostId);
      if (!this.hot) return null;
      const { engineState: _kept, ...columns } = this.hot.host; // the engine state stays here
      return columns;
    });
  }

  /** The learned baselines of cpu, memory and disk (adaptive thresholds); null before the first report. */
  baselines(orgId: string, hostId: string) {
    return this.guarded(async () => {
      this.own(orgId, hostId);
      const series = this.hot?.host.engineState?.series;
      if (!series) return null;
      return Object.fromEntries(
        THRESHOLD_METRICS.flatMap((m) =>
          series[m]?.baseline ? [[m, { baseline: series[m].baseline }]] : [],
        ),
      );
    });
  }

  /** The host's raw samples or rollups in a range, and the oldest this object holds. */
  series(orgId: string, hostId: string, resolution: "raw" | "minute" | "hour", range: Range) {
    return this.guarded(async () => {
      this.own(orgId, hostId);
      const items: SeriesItem[] =
        resolution === "raw"
          ? this.history.raw(range).map(sampleItem)
          : this.history.rollups(resolution, range);
      return { items, oldest: this.history.oldest(resolution) };
    });
  }

  /**
   * After the reports: re-delivery, the host summary the reports did not write (the host stopped
   * reporting, or the write of the report that found it due failed; the fleet pages read it),
   * and retention over the history once an hour.
   */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    const redeliverAt = this.ctx.storage.kv.get<number>(REDELIVER_KEY);
    if (redeliverAt !== undefined && redeliverAt <= now) {
      this.ctx.storage.kv.delete(REDELIVER_KEY);
      // sets the next re-delivery time if it sends anything; a failure waits for the next report
      await this.delivery
        .push()
        .catch((err) => console.error(JSON.stringify({ error: "re-delivery failed", detail: String(err) })));
    }
    await this.flushing; // a report's summary write in flight: not twice
    const hot = this.hot;
    if (!hot) return this.schedule(now);
    await this.flushSummary(now);
    if (now >= (hot.retainedAt ?? 0) + RETENTION_EVERY_MS) {
      const ctx = await this.cache.context(createDb(this.env.DB), hot.orgId, hot.hostId, now, hot);
      this.history.prune(retentionOf(ctx.config), now);
      this.moveMarks({ retainedAt: now });
    }
    await this.schedule(now);
  }

  /**
   * The host summary and uptime totals the host reported since they were last written, into D1
   * in one batch; then their marks move (only the marks' small key is written).
   */
  private async flushSummary(now: number) {
    if (!this.hot) return;
    const db = createDb(this.env.DB);
    const { statements, done, set } = summaryWrites(db, this.hot, this.cache.d1Host, now);
    if (statements.length === 0) return;
    await runBatch(db, statements);
    if (set) this.cache.summaryWritten(set);
    this.moveMarks(done);
  }

  /** Reports may have moved the hot state while a write awaited D1: keep theirs, add only these marks. */
  private moveMarks(done: Partial<HotState>) {
    if (!this.hot) return;
    this.hot = { ...this.hot, ...done };
    this.store.writeMarks(this.hot);
  }

  /**
   * The alarm at the first of: the summary's late fallback (if the host reported since the last),
   * re-delivery, retention. Set to exactly that, later as well as earlier: every time the alarm
   * has work for is among these, and a fallback left early would wake the object for nothing.
   */
  private async schedule(now: number) {
    const redeliverAt = this.ctx.storage.kv.get<number>(REDELIVER_KEY);
    const due = alarmTimes(this.hot, redeliverAt, now);
    if (due.length === 0) return;
    const at = Math.max(now, Math.min(...due));
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** The alarm at `at`, unless it is already set earlier. */
  private async arm(at: number) {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private authorized(tokenId: string | null) {
    if (this.revoked.has(tokenId)) throw new ApiError("UNAUTHORIZED", "unknown, expired or revoked token");
  }

  /** One object, one host of one org: a call naming another is refused. */
  private own(orgId: string, hostId: string) {
    if (this.hot && (this.hot.orgId !== orgId || this.hot.hostId !== hostId))
      throw new ApiError("NOT_FOUND", "host not found");
  }

  private async guarded<T>(run: (db: Db) => Promise<T>): Promise<Outcome<T>> {
    const db = createDb(this.env.DB);
    try {
      return { ok: true, value: await run(db), meter: db.meter };
    } catch (err) {
      if (err instanceof ApiError)
        return { ok: false, code: err.code, message: err.message, issues: err.issues, meter: db.meter };
      throw err;
    }
  }
}
