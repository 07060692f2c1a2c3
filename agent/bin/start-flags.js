/**
 * Flags the long-running agent (`run`) starts with. --lite-mode trades speed the agent does not
 * need (a few ms of work per interval) for memory: no JIT, feedback vectors allocated lazily, a
 * small young generation. --no-node-snapshot builds Node's start-up state by running its
 * bootstrap code (~50 ms more CPU, once) instead of reading it from the snapshot in the binary,
 * whose pages would otherwise stay resident (~2 MB). Both are read only when the process starts:
 * the launcher (selfheal-agent.js) re-executes itself with them where Node can replace its own
 * process (process.execve, Node >= 22.15 on POSIX); the systemd unit passes them to node itself.
 * npm run bench:agent measures what they save. SELFHEAL_V8_TUNING=off keeps V8's defaults.
 */
// --lite-mode turns off WebAssembly, and node says so on stderr unless asked for no WebAssembly.
export const START_FLAGS = ["--lite-mode", "--no-expose-wasm", "--no-node-snapshot"];

/**
 * Environment the agent starts with, read by glibc's allocator when the process starts: at most two
 * malloc arenas instead of one per thread that ever allocates (V8's and libuv's worker threads), so
 * fewer part-used arenas stay resident (bench:agent). The launcher gives them in its re-exec and the
 * systemd unit in Environment=; the agent then takes them out of its own environment
 * (dropStartEnv), so the services and commands it starts get the allocator's defaults.
 */
export const START_ENV = { MALLOC_ARENA_MAX: "2" };

/**
 * Takes START_ENV's variables out of env where they hold the value the agent starts with. A value
 * of the operator's own (another arena count) is theirs, and stays for what the agent starts.
 * @param {Record<string, string | undefined>} env
 */
export function dropStartEnv(env) {
  for (const [key, value] of Object.entries(START_ENV)) if (env[key] === value) delete env[key];
}

/**
 * The argv to replace this process with so that `run` gets the start flags, or undefined to go on
 * as is: another command, the flags already given, tuning turned off, or no process.execve (Node
 * 20, Windows), where a second, supervising process would cost more than the flags save.
 * @param {{ argv: readonly string[], execArgv: readonly string[], execPath: string, env: Record<string, string | undefined>, canExec: boolean }} p
 * @returns {string[] | undefined}
 */
export function reexecArgv({ argv, execArgv, execPath, env, canExec }) {
  if (!canExec || env.SELFHEAL_V8_TUNING === "off") return undefined;
  const [script, command] = [argv[1], argv[2]];
  if (command !== "run" || !script) return undefined;
  if (START_FLAGS.every((flag) => execArgv.includes(flag))) return undefined;
  return [execPath, ...START_FLAGS, ...execArgv, script, ...argv.slice(2)];
}
