/**
 * A metric's samples as the judges see them: NaN handled by the metric's rule (removed, or
 * read as zero), counted and summarised so a verdict can say what it was based on.
 */
import type { CanaryMetricConfig } from './config.js';

/** Samples per metric name, in the order they were taken. */
export type CanarySamples = Readonly<Record<string, readonly number[]>>;

export interface SeriesSummary {
  /** Samples used after NaN handling. */
  count: number;
  /** NaN (or non-finite) samples that were removed or read as zero. */
  missing: number;
  mean: number | null;
  median: number | null;
}

export interface CleanSeries {
  values: number[];
  summary: SeriesSummary;
}

export function cleanSeries(
  raw: readonly number[] | undefined,
  rule: CanaryMetricConfig['nan'],
): CleanSeries {
  const values: number[] = [];
  let missing = 0;
  for (const v of raw ?? []) {
    if (Number.isFinite(v)) values.push(v);
    else {
      missing += 1;
      if (rule === 'zero') values.push(0);
    }
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    values,
    summary: {
      count: values.length,
      missing,
      mean: values.length ? values.reduce((s, v) => s + v, 0) / values.length : null,
      median: !sorted.length
        ? null
        : sorted.length % 2
          ? sorted[mid]!
          : (sorted[mid - 1]! + sorted[mid]!) / 2,
    },
  };
}

/** Mean of the canary over the mean of the baseline (Kayenta's effect size); 1 if undefined. */
export function meanRatio(baseline: SeriesSummary, canary: SeriesSummary): number {
  if (baseline.mean === null || canary.mean === null || baseline.mean === 0) return 1;
  return canary.mean / baseline.mean;
}
