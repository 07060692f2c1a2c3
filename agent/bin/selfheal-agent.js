#!/usr/bin/env node
// A committed launcher, so npm can link the bin before the bundle in dist/ is built. For `run` it
// first gives V8 its start flags (start-flags.js), replacing this process: same pid, no second one.
import { dropStartEnv, reexecArgv, START_ENV } from "./start-flags.js";

const argv = reexecArgv({
  argv: process.argv,
  execArgv: process.execArgv,
  execPath: process.execPath,
  env: process.env,
  canExec: typeof process.execve === "function",
});
if (argv) process.execve(argv[0], argv, { ...process.env, ...START_ENV });
// read by the allocator at start, and not meant for what the agent starts
dropStartEnv(process.env);
await import("../dist/cli.js");
