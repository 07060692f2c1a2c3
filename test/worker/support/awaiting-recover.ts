/**
 * A host whose issue waits for a person (`require_confirmation`), so nothing is queued for it
 * until /recover says so: the tests of the command channel queue a command exactly when they choose.
 */
import { expect } from "vitest";
import { type Agent, json, newTenant, type Queued, service, type Tenant } from "./harness";

export const down = [service("nginx", "down", { detail: "inactive (dead)" })];

export async function awaitingRecover(): Promise<{ t: Tenant; agent: Agent; issueId: string }> {
  const t = await newTenant();
  await t.config({ recovery: { require_confirmation: true } });
  const agent = await t.enroll();
  expect((await agent.report({ services: down })).commands).toEqual([]);
  const [issue] = await t.issues(`?host=${agent.hostId}`);
  return { t, agent, issueId: issue.id };
}

/** Queues the issue's next action now (POST /api/healing/recover, action "auto"). */
export const recover = (t: Tenant, issueId: string) =>
  json<Queued>("/api/healing/recover", { token: t.admin, body: { issue_id: issueId, action: "auto" } }, 202);
