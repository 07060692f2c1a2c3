/**
 * Edge-side recovery actions: `webhook:<name>` is run by the Worker, never by the agent.
 * The planner (or an approval, or POST /recover) leaves the command `delivered`; after the
 * response, runEdgeActions claims it, makes one signed JSON POST with a timeout, and records the
 * outcome like any agent result (command, history row, recovery event). A Worker that dies
 * mid-call leaves a delivered command the sweep times out, so the issue escalates as usual.
 */
import { and, eq, isNull, like } from "drizzle-orm";
import { WEBHOOK_PREFIX } from "../../../../agent/engine";
import { type Db, runBatch, type Statement } from "../../../db/client";
import {
  actionWebhooks,
  type CommandStatus,
  commands,
  type HistoryStatus,
  hosts,
  recoveryHistory,
} from "../../../db/schema";
import { signWebhook } from "../../notify/format";
import { notifyStatement } from "../../notify/outbox";
import { webhookHeaders } from "../../notify/standard-webhooks";
import type { CommandRow } from "../queue";

export { WEBHOOK_PREFIX };
export const isEdgeAction = (action: string) => action.startsWith(WEBHOOK_PREFIX);
const CLAIM = "calling webhook";

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The request for one command: JSON body, signed with Standard Webhooks headers (the command id
 * is the webhook id) and, for one release, `x-selfheal-signature: v1=<hmac of "ts.body">`.
 */
export async function buildWebhookRequest(
  hook: { url: string; secret: string | null },
  command: Pick<CommandRow, "id" | "issueId" | "hostId" | "action" | "target">,
  host: string | null,
  now: number,
): Promise<WebhookRequest> {
  const body = JSON.stringify({
    type: "selfheal.recovery_action",
    commandId: command.id,
    action: command.action.slice(WEBHOOK_PREFIX.length),
    issueId: command.issueId,
    hostId: command.hostId,
    host,
    target: command.target,
    sentAt: new Date(now).toISOString(),
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-selfheal-timestamp": String(Math.floor(now / 1000)),
    "x-selfheal-command": command.id,
  };
  if (hook.secret)
    Object.assign(headers, await webhookHeaders(hook.secret, command.id, now, body, signWebhook));
  return { url: hook.url, headers, body };
}

interface Outcome {
  status: CommandStatus & HistoryStatus;
  exitCode: number | null;
  output: string;
}

async function call(req: WebhookRequest, timeoutMs: number): Promise<Outcome> {
  try {
    const res = await fetch(req.url, {
      method: "POST",
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = (await res.text()).slice(0, 500);
    const status = res.ok ? "succeeded" : "failed";
    return { status, exitCode: res.status, output: `HTTP ${res.status}${text ? `: ${text}` : ""}` };
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError";
    return { status: timedOut ? "timed_out" : "failed", exitCode: null, output: String(err).slice(0, 500) };
  }
}

/** Runs this host's claimed-by-nobody webhook commands (each claimed by one conditional update). */
export async function runEdgeActions(db: Db, orgId: string, hostId: string) {
  const rows = await db
    .select({ c: commands, host: hosts.name })
    .from(commands)
    .leftJoin(hosts, eq(hosts.id, commands.hostId))
    .where(
      and(
        eq(commands.orgId, orgId),
        eq(commands.hostId, hostId),
        eq(commands.status, "delivered"),
        like(commands.action, `${WEBHOOK_PREFIX}%`),
        isNull(commands.output),
      ),
    );
  for (const { c, host } of rows) {
    const claimed = await db
      .update(commands)
      .set({ output: CLAIM })
      .where(and(eq(commands.id, c.id), eq(commands.status, "delivered"), isNull(commands.output)))
      .returning({ id: commands.id });
    if (claimed.length === 0) continue;
    const name = c.action.slice(WEBHOOK_PREFIX.length);
    const [hook] = await db
      .select()
      .from(actionWebhooks)
      .where(and(eq(actionWebhooks.orgId, orgId), eq(actionWebhooks.name, name)));
    const started = Date.now();
    const outcome: Outcome = hook
      ? await call(await buildWebhookRequest(hook, c, host, started), hook.timeoutMs)
      : { status: "refused", exitCode: null, output: `no action webhook named "${name}"` };
    await record(db, c, outcome, started, Date.now());
  }
}

async function record(db: Db, c: CommandRow, o: Outcome, started: number, now: number) {
  const set = { ...o, finishedAt: now, durationMs: now - started };
  const statements: Statement[] = [
    db
      .update(commands)
      .set(set)
      .where(and(eq(commands.id, c.id), eq(commands.status, "delivered"))),
    db
      .update(recoveryHistory)
      .set(set)
      .where(and(eq(recoveryHistory.commandId, c.id), eq(recoveryHistory.status, "pending"))),
  ];
  if (c.issueId) {
    const event = o.status === "succeeded" ? "recovery_succeeded" : "recovery_failed";
    const detail = { action: c.action, status: o.status, exitCode: o.exitCode, output: o.output };
    statements.push(
      notifyStatement(db, { orgId: c.orgId, issueId: c.issueId, event, now, commandId: c.id, detail }),
    );
  }
  await runBatch(db, statements);
}
