/**
 * The only way from a server command to an action. A command runs when its id is new, it has not
 * expired, the action has a handler here, the local config enables it, and its target names a
 * service, cache, config file or script the config has (and, for service actions, allows).
 * Anything else is refused, and the refusal is reported like any other result.
 * Only names travel from the server; what runs is argv from the local config.
 */
import { type Command, type CommandResult, commandSchema, LIMITS } from "../../protocol";
import { errorMessage, isoTime, truncateTail } from "../util";
import { clearCache } from "./clear-cache";
import { blessConfig, resetConfig, validateConfig } from "./config-files";
import { emergencyBackup } from "./emergency-backup";
import { healthCheck } from "./health-check";
import type { CommandJournal } from "./journal";
import { lockdown, unlock } from "./lockdown";
import { runScript } from "./run-script";
import { emergencyShutdown, forceRestart, restartService, stopService } from "./service-actions";
import type { ActionContext, ActionHandler, TargetKind } from "./types";

export const builtinHandlers: ActionHandler[] = [
  restartService,
  forceRestart,
  stopService,
  emergencyShutdown,
  clearCache,
  resetConfig,
  validateConfig,
  blessConfig,
  emergencyBackup,
  lockdown,
  unlock,
  runScript,
  healthCheck,
];

type Status = CommandResult["status"];

export interface RegistryOptions {
  journal: CommandJournal;
  context: ActionContext;
  handlers?: ActionHandler[];
  timeoutMs?: number;
  now?: () => number;
  /** Why a well-formed command must not run (a missing or bad signature, signing.ts); undefined: it may. */
  verify?: (cmd: Command) => string | undefined;
}

export class ActionRegistry {
  private readonly handlers: Map<string, ActionHandler>;

  constructor(private readonly opts: RegistryOptions) {
    this.handlers = new Map((opts.handlers ?? builtinHandlers).map((h) => [h.name, h]));
  }

  /** Takes a command as the server sent it: validates it, then decides, records and runs. */
  async execute(raw: unknown): Promise<CommandResult | undefined> {
    const parsed = commandSchema.safeParse(raw);
    if (parsed.success) return this.run(parsed.data);
    const id = (raw as { id?: unknown } | null)?.id;
    const issue = parsed.error.issues[0];
    const why = `malformed command: ${issue?.path.join(".") || "command"}: ${issue?.message}`;
    if (typeof id !== "string" || id.length < 1 || id.length > 64) {
      this.opts.context.log.error(`ignored a command without a usable id (${why})`);
      return undefined;
    }
    return this.run({ id, action: "?", expiresAt: "" } as Command, why);
  }

  private async run(cmd: Command, malformed?: string): Promise<CommandResult | undefined> {
    const { journal, context } = this.opts;
    const now = this.opts.now ?? Date.now;
    const started = now();
    const finish = (
      status: Status,
      output: string,
      exitCode: number | null = null,
      record = true,
    ): CommandResult => {
      const result: CommandResult = {
        commandId: cmd.id,
        status,
        exitCode,
        output: truncateTail(output, LIMITS.outputChars),
        durationMs: Math.max(0, Math.round(now() - started)),
        finishedAt: isoTime(now()),
      };
      if (record) journal.recordResult(cmd.id, status);
      const log = status === "succeeded" ? context.log.notice : context.log.warn;
      log(`command ${status}`, {
        id: cmd.id,
        action: cmd.action,
        target: cmd.target,
        output: oneLine(output),
      });
      return result;
    };

    // Re-delivered (a lost response, a slow action): it ran or runs once, and that outcome is the
    // one the edge gets (queued durably, or reported failed if the agent died mid-way). A
    // "refused" here would race it and could win.
    if (journal.has(cmd.id)) {
      context.log.info("ignored a command delivered again", { id: cmd.id, action: cmd.action });
      return undefined;
    }
    journal.recordStart(cmd.id, cmd.action, cmd.target);

    if (malformed) return finish("refused", malformed);
    const unsigned = this.opts.verify?.(cmd);
    if (unsigned) return finish("refused", unsigned);
    if (Date.parse(cmd.expiresAt) <= started) return finish("refused", `command expired at ${cmd.expiresAt}`);
    const handler = this.handlers.get(cmd.action);
    if (!handler) return finish("refused", `unknown action ${cmd.action}`);
    const allowed = context.policy[handler.name];
    if (!allowed) return finish("refused", `action ${cmd.action} is not enabled in this agent's config`);
    if (handler.target) {
      const kind = handler.target;
      if (!cmd.target) return finish("refused", `action ${cmd.action} needs a target ${kind}`);
      if (!isConfigured(kind, cmd.target, context))
        return finish("refused", `unknown target ${cmd.target}: not a ${kind} in this agent's config`);
      if (kind === "service" && allowed.services && !allowed.services.includes(cmd.target))
        return finish(
          "refused",
          `action ${cmd.action} is not enabled for ${cmd.target} in this agent's config`,
        );
    }

    context.log.notice("running command", { id: cmd.id, action: cmd.action, target: cmd.target });
    const timeoutMs = Math.max(this.opts.timeoutMs ?? 180_000, handler.timeoutMs?.(cmd, context) ?? 0);
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        handler.run(cmd, context),
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), timeoutMs);
        }),
      ]);
      if (outcome === "timeout")
        return finish("timed_out", `${cmd.action} did not finish within ${timeoutMs / 1000} s`);
      return finish(outcome.status, outcome.output, outcome.exitCode);
    } catch (err) {
      return finish("failed", `${cmd.action} failed: ${errorMessage(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function isConfigured(kind: TargetKind, target: string, ctx: ActionContext): boolean {
  if (kind === "service") return ctx.services.get(target) !== undefined;
  if (kind === "cache") return ctx.config.caches.some((c) => c.name === target);
  if (kind === "config") return ctx.config.configs.some((c) => c.name === target);
  return Object.hasOwn(ctx.config.scripts, target);
}

const oneLine = (s: string) =>
  s
    .trim()
    .replace(/\s*\n\s*/g, "; ")
    .slice(0, 300);
