// The Worker's settings `npm start` passes through from its environment (a test keeps this list
// equal to the SELFHEAL_* keys of worker/env.ts's schema). Plain JavaScript: it runs before the build.
export const WORKER_VARS = [
  "SELFHEAL_ADMIN_TOKEN",
  "SELFHEAL_ENV",
  "SELFHEAL_PUBLIC_URL",
  "SELFHEAL_RETRY_BASE_MS",
  "SELFHEAL_PLATFORM_TOKEN",
  "SELFHEAL_RATE_LIMIT",
  "SELFHEAL_RATE_LIMIT_PER_MINUTE",
  "SELFHEAL_AGENT_RATE_LIMIT_PER_MINUTE",
  "SELFHEAL_MAX_BODY_BYTES",
  "SELFHEAL_MAX_REPORT_BYTES",
  "SELFHEAL_AUTH_FAILURES_PER_MINUTE",
  "SELFHEAL_SIGN_IN_STARTS_PER_MINUTE",
  "SELFHEAL_COMMAND_SIGNING_KEY",
  "SELFHEAL_ACCESS_TEAM_DOMAIN",
  "SELFHEAL_ACCESS_AUD",
  "SELFHEAL_ACCESS_CERTS_URL",
  "SELFHEAL_OIDC_ISSUER",
  "SELFHEAL_OIDC_CLIENT_ID",
  "SELFHEAL_OIDC_CLIENT_SECRET",
  "SELFHEAL_OIDC_NAME",
];

/** The Worker's settings present in `env` (unset and empty ones left out). */
export function workerVarsFrom(env) {
  return Object.fromEntries(WORKER_VARS.filter((k) => env[k]).map((k) => [k, env[k]]));
}

/**
 * One line of the env file wrangler reads. Single quotes keep the value literal for dotenv, and
 * `$` is escaped because wrangler expands `$NAME` in env files afterwards.
 */
export function envFileLine(key, value) {
  const v = String(value);
  if (/[\r\n']/.test(v)) throw new Error(`${key}: a value with a newline or a single quote cannot be passed`);
  return `${key}='${v.replaceAll("$", "\\$")}'\n`;
}
