/**
 * The API's answers whose schemas sit beside their routes, read from the app's route types (the
 * typed client's view), so the dashboard and the tests take them from one source. Type-only.
 */
import type { hc, InferResponseType } from "hono/client";
import type { AppType } from "./app";

/** The typed client of the Worker's routes. */
export type Client = ReturnType<typeof hc<AppType>>;

/** What a route answers when it succeeds, from the app's route types. */
// biome-ignore lint/suspicious/noExplicitAny: any client method
export type Answer<F extends (...args: any[]) => unknown> = InferResponseType<F, 200 | 201>;

type V1 = Client["api"]["v1"];

export type TokenInfo = Answer<V1["tokens"]["$get"]>["items"][number];
export type CreatedToken = Answer<V1["tokens"]["$post"]>;
/** `POST /api/v1/rules/backtest`: when the rule would have fired over a host's stored samples. */
export type BacktestResult = Answer<V1["rules"]["backtest"]["$post"]>;
/** `GET /api/v1/commands`: a recovery command; `awaiting_approval` ones wait for a human. */
export type Command = Answer<V1["commands"]["$get"]>["items"][number];
/** `GET /api/v1/maintenance`: while in force, nothing is queued or notified for matching issues. */
export type MaintenanceWindow = Answer<V1["maintenance"]["$get"]>["items"][number];
/** `GET /api/v1/learning`: how each (rule, action) pair has done so far. */
export type LearnedAction = Answer<V1["learning"]["$get"]>["items"][number];
/** `GET /api/v1/scopes`: a group's or a host's overrides over the org's settings. */
export type ScopeOverrides = Answer<V1["scopes"]["$get"]>["items"][number];
/** `GET /api/v1/hosts/{id}/effective-config`: what is in force on one host, and who set it. */
export type EffectiveConfig = Answer<V1["hosts"][":id"]["effective-config"]["$get"]>;
