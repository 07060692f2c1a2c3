/**
 * Validates a configured file: its `validate` argv (each "{path}" in an element becomes the
 * file's path; nothing is appended), else a JSON parse, else a YAML parse.
 */
import { readFile } from "node:fs/promises";
import { type ConfigFileConfig, formatOf } from "../config/recovery";
import { combinedOutput, describeExit, execArgv } from "../services/exec";
import { errorMessage } from "../util";
import { yamlProblem } from "./yaml-check";

export interface Validation {
  ok: boolean;
  exitCode: number | null;
  timedOut?: boolean;
  detail: string;
}

export const argvFor = (validate: readonly string[], file: string): string[] =>
  validate.map((a) => a.split("{path}").join(file));

export async function validateFile(cfg: ConfigFileConfig, file = cfg.path): Promise<Validation> {
  if (cfg.validate) {
    const argv = argvFor(cfg.validate, file);
    const r = await execArgv(argv, { timeoutMs: cfg.timeoutMs });
    const out = combinedOutput(r);
    return {
      ok: r.code === 0 && !r.timedOut,
      exitCode: r.code,
      timedOut: r.timedOut,
      detail: `${argv.join(" ")}: ${r.code === 0 ? "exit 0" : describeExit(argv, r)}${out ? `\n${out}` : ""}`,
    };
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return { ok: false, exitCode: null, detail: `cannot read ${file}: ${errorMessage(err)}` };
  }
  const format = cfg.format ?? formatOf(cfg.path) ?? "json";
  if (format === "json") {
    try {
      JSON.parse(text);
      return { ok: true, exitCode: 0, detail: "parses as JSON" };
    } catch (err) {
      return { ok: false, exitCode: 1, detail: `not valid JSON: ${errorMessage(err)}` };
    }
  }
  let problem: string | undefined;
  try {
    problem = await yamlProblem(text);
  } catch (err) {
    return { ok: false, exitCode: null, detail: `could not check the YAML: ${errorMessage(err)}` };
  }
  return problem
    ? { ok: false, exitCode: 1, detail: `not valid YAML: ${problem}` }
    : { ok: true, exitCode: 0, detail: "parses as YAML" };
}
