/**
 * Hypercare's regression detector: after a deployment marker, each watched metric is
 * compared with its own behaviour before the marker. The reference is the series before
 * the marker, summarised robustly (median and MAD, so past spikes do not hide new ones);
 * every sample after the marker is standardised against it and fed to a two-sided CUSUM
 * (Page, 1954), which accumulates small persistent shifts and forgives single spikes.
 * It is streaming: each new sample is one step, so it can run for the whole window.
 */
import type { Classification } from '../release.js';

export interface RegressionDetectorOptions {
  /** Allowance k in reference scales: drifts smaller than this are ignored. */
  slack: number;
  /** Decision threshold h: the CUSUM alarms when it exceeds this. */
  threshold: number;
  /** Fewer reference samples than this: the detector says it cannot judge. */
  minReference: number;
  /** Standardised samples are clipped to ±this, so one wild value cannot alarm alone. */
  clip: number;
  /**
   * Self-calibration: the threshold is raised to this multiple of the highest CUSUM the
   * metric reached over its own pre-deployment history, so a metric that drifts or cycles
   * on its own needs a larger change to alarm than a flat one. 0 turns it off.
   */
  calibration: number;
}

export const DEFAULT_DETECTOR: RegressionDetectorOptions = {
  slack: 1,
  threshold: 12,
  minReference: 30,
  clip: 6,
  calibration: 1.5,
};

export type RegressionFinding =
  | { status: 'regression'; direction: 'up' | 'down'; afterSamples: number; reason: string }
  | { status: 'stable'; afterSamples: number; reason: string }
  | { status: 'cannot-judge'; afterSamples: number; reason: string };

/** Stabilisation window after a production deployment, by release class, in hours. */
export function stabilisationHours(classification: Classification): number {
  return classification === 'major' ? 72 : classification === 'minor' ? 24 : 24;
}

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

export interface Reference {
  median: number;
  /** MAD scaled to the standard deviation of normal data (× 1.4826). */
  scale: number;
}

export function referenceOf(before: readonly number[]): Reference | null {
  const clean = before.filter(Number.isFinite).sort((a, b) => a - b);
  if (clean.length === 0) return null;
  const centre = median(clean);
  const deviations = clean.map((v) => Math.abs(v - centre)).sort((a, b) => a - b);
  let scale = 1.4826 * median(deviations);
  // A flat reference (MAD 0) falls back to the mean absolute deviation, then to a tiny
  // fraction of the level, so that any real change still registers.
  if (scale === 0) scale = clean.reduce((s, v) => s + Math.abs(v - centre), 0) / clean.length;
  if (scale === 0) scale = Math.max(Math.abs(centre) * 1e-3, 1e-9);
  return { median: centre, scale };
}

/** A two-sided CUSUM; each call takes a sample and returns the larger side, signed. */
function newCusum(reference: Reference, o: RegressionDetectorOptions): (value: number) => number {
  let up = 0;
  let down = 0;
  return (value) => {
    const z = Math.max(-o.clip, Math.min(o.clip, (value - reference.median) / reference.scale));
    up = Math.max(0, up + z - o.slack);
    down = Math.max(0, down - z - o.slack);
    return up >= down ? up : -down;
  };
}

export function detectRegression(
  before: readonly number[],
  after: readonly number[],
  options: Partial<RegressionDetectorOptions> = {},
): RegressionFinding {
  const o = { ...DEFAULT_DETECTOR, ...options };
  const usable = before.filter(Number.isFinite).length;
  const reference = usable >= o.minReference ? referenceOf(before) : null;
  if (!reference)
    return {
      status: 'cannot-judge',
      afterSamples: 0,
      reason: `only ${usable} samples before the deployment, ${o.minReference} needed`,
    };
  const cusum = newCusum(reference, o);
  let threshold = o.threshold;
  if (o.calibration > 0) {
    const history = newCusum(reference, o);
    let highest = 0;
    for (const value of before)
      if (Number.isFinite(value)) highest = Math.max(highest, history(value));
    threshold = Math.max(o.threshold, o.calibration * highest);
  }
  let seen = 0;
  for (let i = 0; i < after.length; i += 1) {
    const value = after[i]!;
    // Missing samples neither raise nor clear the alarm.
    if (!Number.isFinite(value)) continue;
    seen += 1;
    const level = cusum(value);
    if (Math.abs(level) > threshold) {
      const direction = level > 0 ? 'up' : 'down';
      return {
        status: 'regression',
        direction,
        afterSamples: i + 1,
        reason: `metric moved ${direction} from its pre-deployment median ${reference.median.toPrecision(4)} (scale ${reference.scale.toPrecision(3)}): CUSUM passed ${threshold.toPrecision(3)} after ${i + 1} samples`,
      };
    }
  }
  if (seen === 0)
    return { status: 'cannot-judge', afterSamples: 0, reason: 'no samples after the deployment' };
  return {
    status: 'stable',
    afterSamples: after.length,
    reason: `no lasting shift in ${seen} samples after the deployment`,
  };
}
