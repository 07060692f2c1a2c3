/**
 * One line per event on stderr: `2026-01-01T00:00:00.000Z level message key=value ...`, or with
 * `--log-format json` one JSON object per line (`{"time","level","msg",...fields}`) for journald,
 * Docker and log shippers that parse JSON.
 * Quiet by default: errors, warnings and notices (enrolment, actions) always; info and debug with --verbose.
 */
import { isoTime } from "./util";

export type Level = "error" | "warn" | "notice" | "info" | "debug";
export type LogFormat = "text" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];
export type Fields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  error(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  notice(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
}

const quiet: ReadonlySet<Level> = new Set(["error", "warn", "notice"]);

function format(value: string | number | boolean | null): string {
  const s = String(value);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

export function createLogger(
  opts: { verbose?: boolean; format?: LogFormat; write?: (line: string) => void; now?: () => Date } = {},
): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const emit = (level: Level) => (msg: string, fields?: Fields) => {
    if (!opts.verbose && !quiet.has(level)) return;
    if (opts.format === "json") {
      const given = Object.entries(fields ?? {}).filter(([, v]) => v !== undefined);
      // the fields first: one named like a core key cannot hide the time, level or message
      const record = { ...Object.fromEntries(given), time: isoTime(now()), level, msg };
      return write(JSON.stringify(record));
    }
    let line = `${isoTime(now())} ${level} ${msg}`;
    for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) line += ` ${k}=${format(v)}`;
    write(line);
  };
  return {
    error: emit("error"),
    warn: emit("warn"),
    notice: emit("notice"),
    info: emit("info"),
    debug: emit("debug"),
  };
}

export const silentLogger: Logger = createLogger({ write: () => {} });
