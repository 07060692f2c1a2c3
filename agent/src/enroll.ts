/**
 * The agent's identity: an enroll token from the config is traded once for an agent token, which
 * is kept in <stateDir>/agent-token.json (mode 0600) and used from then on.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { hostFacts } from "./host-facts";
import type { Logger } from "./log";
import { writeFileAtomic } from "./state-dir";
import { Backoff } from "./transport/backoff";
import type { ApiClient } from "./transport/client";
import { AuthError, HttpError, isRetryable } from "./transport/errors";
import { errorMessage, sleep } from "./util";

const storedSchema = z.object({
  agentToken: z.string().min(1),
  hostId: z.string(),
  server: z.string(),
  enrolledAt: z.string().optional(),
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
  tokenFile: string;
  client: ApiClient;
  log: Logger;
  retryCapMs: number;
  signal?: AbortSignal;
}

/** Returns the stored agent token, enrolling first if there is none for this server. */
export async function obtainAgentToken(deps: EnrollDeps): Promise<StoredToken | undefined> {
  const { log } = deps;
  const stored = readStoredToken(deps.tokenFile);
  if (stored && stored.server === deps.server) return stored;
  if (stored)
    log.warn(`the stored agent token belongs to ${stored.server}, not ${deps.server}: enrolling again`);
  if (!deps.enrollToken)
    throw new FatalError(
      `no agent token in ${deps.tokenFile} and no enroll "token" in the config: cannot enroll`,
      78,
    );

  const backoff = new Backoff({ capMs: () => deps.retryCapMs });
  while (!deps.signal?.aborted) {
    try {
      const res = await deps.client.enroll(
        deps.enrollToken,
        { name: deps.name, ...hostFacts() },
        deps.signal,
      );
      const record: StoredToken = {
        agentToken: res.agentToken,
        hostId: res.hostId,
        server: deps.server,
        enrolledAt: new Date().toISOString(),
      };
      writeFileAtomic(deps.tokenFile, `${JSON.stringify(record, null, 2)}\n`, 0o600);
      log.notice("enrolled", { hostId: res.hostId, server: deps.server, name: deps.name });
      return record;
    } catch (err) {
      if (err instanceof AuthError)
        throw new FatalError(
          `the server refused the enroll token (${err.status}): it is unknown, revoked or not an enroll token. Create a new one and put it in the config's "token"`,
          77,
        );
      if (err instanceof HttpError && !isRetryable(err))
        throw new FatalError(`enrolment failed: ${err.message}`);
      const wait = backoff.next();
      log.warn(`enrolment failed, retrying: ${errorMessage(err)}`, { retryInMs: wait });
      await sleep(wait, deps.signal);
    }
  }
  return undefined;
}
