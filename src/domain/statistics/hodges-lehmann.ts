/**
 * The Hodges-Lehmann estimate of the shift between two samples (the median of every
 * difference `second − first`) and its distribution-free confidence interval from the
 * order statistics of those differences (Lehmann, Nonparametrics, 1975, §2.6; Hollander
 * & Wolfe §4.3), with the normal approximation of the Mann-Whitney critical value.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

export interface ShiftEstimate {
  /** Median of all pairwise differences second − first. */
  estimate: number;
  lower: number;
  upper: number;
  confidence: number;
}

/** Every difference y_j − x_i, sorted ascending. */
export function pairwiseDifferences(x: readonly number[], y: readonly number[]): Float64Array {
  const out = new Float64Array(x.length * y.length);
  let k = 0;
  for (const b of y) for (const a of x) out[k++] = b - a;
  return out.sort();
}

function median(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function hodgesLehmannShift(
  x: readonly number[],
  y: readonly number[],
  confidence = 0.95,
): ShiftEstimate {
  if (x.length === 0 || y.length === 0)
    throw new RangeError('the shift estimate needs data in both samples');
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError('confidence must lie strictly between 0 and 1');
  const d = pairwiseDifferences(x, y);
  const n1 = x.length;
  const n2 = y.length;
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1);
  // The interval runs from the C-th smallest to the C-th largest difference.
  const c = Math.floor((n1 * n2) / 2 - z * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12));
  // Too few observations for the requested confidence: the interval is unbounded.
  const lower = c < 1 ? -Infinity : d[c - 1]!;
  const upper = c < 1 ? Infinity : d[d.length - c]!;
  return { estimate: median(d), lower, upper, confidence };
}
