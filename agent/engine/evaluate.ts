import type {
  Clearance,
  EngineService,
  EvaluationInput,
  EvaluationResult,
  Finding,
  HostEngineState,
  Rule,
  RuleTrack,
} from "./types";

/** Evidence windows are bounded so a host's state stays a few KB however long a breach lasts. */
const WINDOW_MAX = 20;

export function emptyState(): HostEngineState {
  return { v: 1, tracks: {} };
}

const keyOf = (ruleId: string, target: string) => `${ruleId}|${target}`;
const splitKey = (key: string) => {
  const at = key.indexOf("|");
  return { ruleId: key.slice(0, at), target: key.slice(at + 1) };
};

interface Run {
  tracks: Record<string, RuleTrack>;
  opened: Finding[];
  cleared: Clearance[];
  instant: boolean;
}

/**
 * Runs every enabled rule over the new samples (oldest first) and the current services, carrying
 * each condition's streak in `state`. A condition opens once it has held for the rule's duration
 * and clears at the rule's clear level; one (rule, target) is never open twice.
 */
export function evaluate(rules: Rule[], state: HostEngineState | undefined, input: EvaluationInput): EvaluationResult {
  const run: Run = {
    tracks: structuredClone(state?.tracks ?? {}),
    opened: [],
    cleared: [],
    instant: input.instant ?? false,
  };
  const enabled = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));

  for (const key of Object.keys(run.tracks)) {
    const { ruleId, target } = splitKey(key);
    if (enabled.has(ruleId)) continue;
    if (run.tracks[key].active) run.cleared.push({ ruleId, target, at: input.now, reason: "rule_removed" });
    delete run.tracks[key];
  }

  for (const rule of enabled.values()) {
    if (rule.kind === "threshold") evaluateThreshold(run, rule, input.samples);
    else if (input.services) evaluateService(run, rule, input.services, input.now);
  }

  const active: Finding[] = [];
  for (const [key, track] of Object.entries(run.tracks)) {
    const { ruleId, target } = splitKey(key);
    const rule = enabled.get(ruleId);
    if (track.active && rule) active.push(findingOf(rule, target, track, track.openedAt ?? input.now));
  }
  return { state: { v: 1, tracks: run.tracks }, opened: run.opened, cleared: run.cleared, active };
}

function evaluateThreshold(run: Run, rule: Rule, samples: EvaluationInput["samples"]) {
  const metric = rule.metric ?? "";
  const threshold = rule.threshold ?? 0;
  const above = (rule.op ?? "above") === "above";
  const clearAt = rule.clearThreshold ?? threshold;
  const key = keyOf(rule.id, "");
  const track: RuleTrack = run.tracks[key] ?? { active: false };

  for (const sample of samples) {
    const value = sample.metrics[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    const breach = above ? value > threshold : value < threshold;
    const clears = above ? value <= clearAt : value >= clearAt;
    if (breach || (track.active && !clears)) {
      track.since ??= sample.ts;
      track.window = [...(track.window ?? []), [sample.ts, value] as [number, number]].slice(-WINDOW_MAX);
      if (!track.active && heldLongEnough(run, rule, track.since, sample.ts)) open(run, rule, "", track, sample.ts);
    } else {
      if (track.active) run.cleared.push({ ruleId: rule.id, target: "", at: sample.ts, reason: "recovered", value });
      reset(track);
    }
  }
  store(run, key, track);
}

function evaluateService(run: Run, rule: Rule, services: EngineService[], now: number) {
  const watched = services.filter((s) => rule.service === "*" || s.name === rule.service);
  const seen = new Set<string>();
  for (const service of watched) {
    const key = keyOf(rule.id, service.name);
    seen.add(key);
    const track: RuleTrack = run.tracks[key] ?? { active: false };
    const down = service.status === "down" && !service.stopped;
    if (down) {
      track.since ??= now;
      track.detail = service.detail;
      if (!track.active && heldLongEnough(run, rule, track.since, now)) open(run, rule, service.name, track, now);
    } else if (service.status === "up" || service.stopped) {
      if (track.active) run.cleared.push({ ruleId: rule.id, target: service.name, at: now, reason: "recovered" });
      reset(track);
    }
    store(run, key, track);
  }
  for (const key of Object.keys(run.tracks)) {
    if (!key.startsWith(`${rule.id}|`) || seen.has(key)) continue;
    if (run.tracks[key].active) {
      run.cleared.push({ ...splitKey(key), at: now, reason: "target_gone" });
    }
    delete run.tracks[key];
  }
}

function heldLongEnough(run: Run, rule: Rule, since: number, at: number) {
  return run.instant || at - since >= rule.durationSeconds * 1000;
}

function open(run: Run, rule: Rule, target: string, track: RuleTrack, at: number) {
  track.active = true;
  track.openedAt = at;
  run.opened.push(findingOf(rule, target, track, at));
}

function reset(track: RuleTrack) {
  track.active = false;
  track.since = undefined;
  track.openedAt = undefined;
  track.window = undefined;
  track.detail = undefined;
}

/** Idle tracks are dropped so the state holds only conditions in progress. */
function store(run: Run, key: string, track: RuleTrack) {
  if (track.active || track.since !== undefined) run.tracks[key] = JSON.parse(JSON.stringify(track));
  else delete run.tracks[key];
}

function findingOf(rule: Rule, target: string, track: RuleTrack, at: number): Finding {
  const last = track.window?.at(-1);
  const since = track.since ?? at;
  const base = { ruleId: rule.id, target, severity: rule.severity, actions: rule.actions, at };
  if (rule.kind === "service") {
    return {
      ...base,
      summary: `${rule.name}: ${target}${track.detail ? ` (${track.detail})` : ""}`,
      evidence: { service: target, durationSeconds: rule.durationSeconds, since, detail: track.detail },
    };
  }
  const op = rule.op ?? "above";
  const value = last?.[1];
  const shown = value === undefined ? "?" : String(Math.round(value * 10) / 10);
  return {
    ...base,
    summary: `${rule.name}: ${rule.metric} ${shown} ${op} ${rule.threshold}${durationText(rule.durationSeconds)}`,
    evidence: {
      metric: rule.metric,
      value,
      threshold: rule.threshold,
      op,
      durationSeconds: rule.durationSeconds,
      since,
      window: track.window,
    },
  };
}

function durationText(seconds: number) {
  if (seconds <= 0) return "";
  return seconds % 60 === 0 ? ` for ${seconds / 60} min` : ` for ${seconds} s`;
}
