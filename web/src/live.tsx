/**
 * What every page shares: the session and the config document, polled once for the whole app.
 * The monitoring interval in that document paces every other poll, so numbers and charts move
 * within one interval of the agent reporting.
 */
import { type ComponentChildren, createContext } from "preact";
import { useContext, useEffect } from "preact/hooks";
import { DEFAULT_THRESHOLDS } from "../../agent/engine/thresholds";
import { getConfig } from "./api";
import { startEvents } from "./events";
import type { AlertThresholds, HealingConfig, Session } from "./types";
import { type Poll, usePoll } from "./usePoll";

export interface Live {
  session: Session;
  isAdmin: boolean;
  /** May approve and reject waiting recovery commands (admin or operator). */
  canApprove: boolean;
  /** May act on issues and hosts: recover, acknowledge, emergency protocols (admin or operator). */
  canOperate: boolean;
  config: Poll<HealingConfig>;
  /** The monitoring interval in ms, kept between 1 s and 30 s for the dashboard's polls. */
  intervalMs: number;
  thresholds: AlertThresholds;
}

const LiveContext = createContext<Live | null>(null);

export function LiveProvider({ session, children }: { session: Session; children: ComponentChildren }) {
  const config = usePoll(getConfig, 10_000, { pushed: true, topics: ["config"] });
  // One events socket while signed in; every live poll below reloads on its messages. Opened once
  // the first answers are in, so it never competes with the first paint's requests.
  const answered = config.updatedAt !== undefined || config.error !== undefined;
  useEffect(() => (answered ? startEvents() : undefined), [answered]);
  const seconds = config.data?.monitoring.interval ?? 5;
  const intervalMs = Math.min(30_000, Math.max(1_000, (Number.isFinite(seconds) ? seconds : 5) * 1000));
  const value: Live = {
    session,
    isAdmin: session.scope === "admin",
    canApprove: session.scope === "admin" || session.scope === "operator",
    canOperate: session.scope === "admin" || session.scope === "operator",
    config,
    intervalMs,
    thresholds: readThresholds(config.data),
  };
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error("useLive outside LiveProvider");
  return live;
}

/** The config's alert thresholds; the built-in defaults until the config has loaded. */
function readThresholds(config: HealingConfig | undefined): AlertThresholds {
  return config?.monitoring.alert_thresholds ?? DEFAULT_THRESHOLDS;
}
