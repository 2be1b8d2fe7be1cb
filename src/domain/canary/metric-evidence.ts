/**
 * The steps both judges take before any statistics: clean the series, and turn missing
 * data or too little traffic into an explicit outcome instead of a pass.
 */
import type { CanaryMetricConfig, ResolvedCanaryConfig } from './config.js';
import type { MetricJudgement } from './judgement.js';
import { cleanSeries, meanRatio, type CanarySamples, type CleanSeries } from './series.js';

export interface MetricEvidence {
  config: CanaryMetricConfig;
  baseline: CleanSeries;
  canary: CleanSeries;
}

export function gatherEvidence(
  config: CanaryMetricConfig,
  baseline: CanarySamples,
  canary: CanarySamples,
): MetricEvidence {
  return {
    config,
    baseline: cleanSeries(baseline[config.name], config.nan),
    canary: cleanSeries(canary[config.name], config.nan),
  };
}

export function judgementOf(
  evidence: MetricEvidence,
  outcome: MetricJudgement['outcome'],
  reason: string,
  statistics: MetricJudgement['statistics'] = {},
): MetricJudgement {
  const { config, baseline, canary } = evidence;
  const failing =
    outcome === 'high' ||
    outcome === 'low' ||
    ((outcome === 'no-data' || outcome === 'too-little-data') && config.noData === 'fail');
  const hasMeans = baseline.summary.mean !== null && canary.summary.mean !== null;
  return {
    metric: config.name,
    outcome,
    critical: config.critical,
    weight: config.weight,
    failing,
    reason,
    baseline: baseline.summary,
    canary: canary.summary,
    meanRatio: hasMeans ? meanRatio(baseline.summary, canary.summary) : null,
    statistics,
  };
}

/** No data, too little data, or identical series: outcomes no test is needed for. */
export function judgeWithoutTest(
  evidence: MetricEvidence,
  config: ResolvedCanaryConfig,
): MetricJudgement | null {
  const { baseline, canary } = evidence;
  const empty = [
    baseline.values.length === 0 ? 'baseline' : null,
    canary.values.length === 0 ? 'canary' : null,
  ].filter(Boolean);
  const missingNote = (s: CleanSeries) => (s.summary.missing ? ` (${s.summary.missing} NaN)` : '');
  if (empty.length > 0)
    return judgementOf(
      evidence,
      'no-data',
      `no data for the ${empty.join(' and ')}${missingNote(baseline)}${missingNote(canary)}: not a pass`,
    );
  const fewest = Math.min(baseline.values.length, canary.values.length);
  if (fewest < config.minSamples)
    return judgementOf(
      evidence,
      'too-little-data',
      `too little traffic: ${baseline.values.length} baseline and ${canary.values.length} canary samples, ${config.minSamples} needed in each`,
    );
  const a = [...baseline.values].sort((x, y) => x - y);
  const b = [...canary.values].sort((x, y) => x - y);
  if (a.length === b.length && a.every((v, i) => v === b[i]))
    return judgementOf(evidence, 'pass', 'baseline and canary samples are identical');
  return null;
}

/** The canary mean may rise to this multiple of the baseline mean, and fall to the other. */
export function allowedRatios(metric: CanaryMetricConfig): { high: number; low: number } {
  return { high: 1 + metric.allowedIncrease, low: 1 - metric.allowedDecrease };
}

export const watchesRise = (m: CanaryMetricConfig) => m.direction !== 'decrease';
export const watchesFall = (m: CanaryMetricConfig) => m.direction !== 'increase';
