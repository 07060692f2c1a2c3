/**
 * The agent's identity: an enroll token from the config is traded once for an agent token, which
 * is kept in <stateDir>/agent-token.json (mode 0600) and used from then on. The enrolment carries
 * the host key's public half and a proof (host-key.ts). When the agent token is later refused, the
 * agent proves its key for a fresh one (renewAgentToken); the edge gives a taken name to nobody else.
 */
import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import type { EnrollResponse } from "../protocol";
import { hostFacts } from "./host-facts";
import { type HostKey, loadOrCreateHostKey, readHostKey } from "./host-key";
import type { Logger } from "./log";
import { writeFileAtomic } from "./state-dir";
import { Backoff } from "./transport/backoff";
import type { ApiClient } from "./transport/client";
import { AuthError, HttpError, isRetryable } from "./transport/errors";
import { errorMessage, isoTime, sleep } from "./util";

const storedSchema = z.object({
  agentToken: z.string().check(z.minLength(1)),
  hostId: z.string(),
  server: z.string(),
  enrolledAt: z.optional(z.string()),
});
export type StoredToken = z.infer<typeof storedSchema>;

/** Stops the agent: retrying would not help (a rejected token, a missing one). */
export class FatalError extends Error {
  override name = "FatalError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function readStoredToken(file: string): StoredToken | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = storedSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw new FatalError(`${file} is unreadable or damaged: delete it to enroll again`);
}

export interface EnrollDeps {
  server: string;
  enrollToken?: string;
  name: string;
  /** Asked for at enrolment (config "group"). */
  group?: string;
  tokenFile: string;
  /** The host key's file (made at the first enrolment). */
  keyFile: string;
  client: ApiClient;
  log: Logger;
  retryCapMs: number;
  signal?: AbortSignal;
}

function hostKeyOf(deps: EnrollDeps, create: boolean): HostKey | undefined {
  try {
    return create ? loadOrCreateHostKey(deps.keyFile) : readHostKey(deps.keyFile);
  } catch (err) {
    throw new FatalError(`${errorMessage(err)}: restore it, or ask an admin to re-enroll this host`);
  }
}

/** Calls `attempt` until it answers, backing off unless the server refused it for good (a 4xx). */
async function untilAnswered<T>(
  deps: EnrollDeps,
  what: string,
  attempt: () => Promise<T>,
): Promise<T | undefined> {
  const backoff = new Backoff({ capMs: () => deps.retryCapMs });
  while (!deps.signal?.aborted) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof HttpError && !isRetryable(err)) throw err;
      const wait = backoff.next();
      deps.log.warn(`${what} failed, retrying: ${errorMessage(err)}`, { retryInMs: wait });
      await sleep(wait, deps.signal);
    }
  }
  return undefined;
}

function store(deps: EnrollDeps, res: EnrollResponse): StoredToken {
  const record: StoredToken = {
    agentToken: res.agentToken,
    hostId: res.hostId,
    server: deps.server,
    enrolledAt: isoTime(),
  };
  writeFileAtomic(deps.tokenFile, `${JSON.stringify(record, null, 2)}\n`, 0o600);
  return record;
}

/** Enrols with the config's token, the host key and a fresh proof. */
async function enroll(deps: EnrollDeps, enrollToken: string): Promise<StoredToken | undefined> {
  const key = hostKeyOf(deps, true) as HostKey;
  if (key.created) deps.log.notice("made this host's key", { file: deps.keyFile });
  const res = await untilAnswered(deps, "enrolment", () =>
    deps.client.enroll(
      enrollToken,
      {
        name: deps.name,
        ...hostFacts(),
        ...(deps.group ? { group: deps.group } : {}),
        publicKey: key.publicKey,
        proof: key.prove(deps.name),
      },
      deps.signal,
    ),
  ).catch((err) => {
    if (err instanceof AuthError)
      throw new FatalError(
        `the server refused the enroll token (${err.status}): ${err.message}. It is unknown, revoked, spent or not an enroll token: create a new one and put it in the config's "token"`,
        77,
      );
    if (err instanceof HttpError && err.status === 409)
      throw new FatalError(
        `enrolment refused: ${err.message}. If this is that host and it lost its key, an admin re-enrolls it and its token goes in the config's "token"`,
        77,
      );
    if (err instanceof HttpError) throw new FatalError(`enrolment failed: ${err.message}`);
    throw err;
  });
  if (!res) return undefined;
  deps.log.notice("enrolled", { hostId: res.hostId, server: deps.server, name: deps.name });
  return store(deps, res);
}

/** Returns the stored agent token, enrolling first if there is none for this server. */
export async function obtainAgentToken(deps: EnrollDeps): Promise<StoredToken | undefined> {
  const stored = readStoredToken(deps.tokenFile);
  if (stored && stored.server === deps.server) return stored;
  if (stored)
    deps.log.warn(`the stored agent token belongs to ${stored.server}, not ${deps.server}: enrolling again`);
  if (!deps.enrollToken)
    throw new FatalError(
      `no agent token in ${deps.tokenFile} and no enroll "token" in the config: cannot enroll`,
      78,
    );
  return enroll(deps, deps.enrollToken);
}

/**
 * The agent token was refused: a fresh one, by proving the host key for its stored host, else by
 * enrolling again with the config's token (an admin's re-enroll token, for a host that has no key
 * on the edge). Throws FatalError when neither works.
 */
export async function renewAgentToken(deps: EnrollDeps, hostId: string): Promise<StoredToken | undefined> {
  const key = hostKeyOf(deps, false);
  let why = "this host has no key yet (enrolled before host keys)";
  if (key) {
    try {
      const res = await untilAnswered(deps, "token refresh", () =>
        deps.client.refresh({ hostId, name: deps.name, proof: key.prove(deps.name) }, deps.signal),
      );
      if (!res) return undefined;
      deps.log.notice("proved this host's key for a fresh agent token", { hostId: res.hostId });
      return store(deps, res);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      why = `the key proof was refused: ${err.message}`;
    }
  }
  if (!deps.enrollToken) throw new FatalError(`${why}; no enroll "token" in the config to enroll again`, 77);
  deps.log.warn(`${why}: enrolling again with the config's token`);
  return enroll(deps, deps.enrollToken);
}
