/**
 * The live anomaly detectors of the states this engine handed out, so a host's next report steps
 * the detector it already has instead of restoring it from its snapshot. Restoring decodes the
 * snapshot's filter and categories, and was the largest part of a report's engine time with the
 * built-in diagnostics on (two detectors per host).
 *
 * The engine stays pure: a detector is kept against the very snapshot object it was saved as, and
 * taking it removes it, so only the state that snapshot belongs to, evaluated for the first time,
 * gets it. Any other evaluation of that state (again, or after a failed report) restores from the
 * snapshot, which shares nothing the detector writes (it is copied out). A state read back from
 * storage or JSON is a new object: it restores, as a cold host object or a restarted agent does.
 */
import { type AnomalyDetector, createDetector, type DetectorSnapshot, restoreDetector } from "./anomaly";

const live = new WeakMap<DetectorSnapshot, AnomalyDetector>();

/** The detector to step for this snapshot: the live one saved as it, or one restored from it. */
export function takeDetector(snapshot: DetectorSnapshot | undefined): AnomalyDetector {
  if (!snapshot) return createDetector();
  const kept = live.get(snapshot);
  if (!kept) return restoreDetector(snapshot);
  live.delete(snapshot);
  return kept;
}

/** The detector's snapshot for the state, remembered with the detector for the next report. */
export function saveDetector(detector: AnomalyDetector): DetectorSnapshot {
  // toJSON shares the detector's arrays: the copy keeps the snapshot still while the detector
  // steps on. Its params are the one part the detector never writes, so they are shared, not
  // copied (a fifth of the snapshot, on every report), in their place so the JSON stays the same.
  const saved = detector.toJSON();
  const snapshot = {} as Record<string, unknown>;
  for (const key in saved) {
    const value = saved[key as keyof DetectorSnapshot];
    snapshot[key] = key === "params" ? value : copyPlain(value);
  }
  live.set(snapshot as unknown as DetectorSnapshot, detector);
  return snapshot as unknown as DetectorSnapshot;
}

/** A deep copy of plain JSON data (strings are immutable and shared). */
function copyPlain<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = copyPlain((value as Record<string, unknown>)[key]);
  return out as T;
}
