/**
 * The fixed-horizon judge: Kayenta's Mann-Whitney classifier, looked at once when the
 * analysis window closes. A metric is high when the Hodges-Lehmann interval of the shift
 * (canary − baseline) lies above `tolerance × |estimate|` and the mean ratio exceeds the
 * allowed increase; low symmetrically. Scoring and thresholds are Kayenta's (75 / 50).
 */
import { hodgesLehmannShift } from '../statistics/hodges-lehmann.js';
import { mannWhitneyU } from '../statistics/mann-whitney.js';
import type { CanaryMetricConfig, ResolvedCanaryConfig } from './config.js';
import { scoreCanary, type CanaryJudgement, type MetricJudgement } from './judgement.js';
import {
  allowedRatios,
  gatherEvidence,
  judgementOf,
  judgeWithoutTest,
  watchesFall,
  watchesRise,
  type MetricEvidence,
} from './metric-evidence.js';
import { meanRatio, type CanarySamples } from './series.js';

const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;

export function judgeMetricFixed(
  evidence: MetricEvidence,
  config: ResolvedCanaryConfig,
): MetricJudgement {
  const early = judgeWithoutTest(evidence, config);
  if (early) return early;
  const metric: CanaryMetricConfig = evidence.config;
  const baseline = evidence.baseline.values;
  const canary = evidence.canary.values;
  const test = mannWhitneyU(canary, baseline);
  const shift = hodgesLehmannShift(baseline, canary, config.confidence);
  const bound = config.tolerance * Math.abs(shift.estimate);
  const ratio = meanRatio(evidence.baseline.summary, evidence.canary.summary);
  const allowed = allowedRatios(metric);
  const statistics = {
    u: test.u,
    pValue: test.pValue,
    shiftEstimate: shift.estimate,
    shiftLower: Number.isFinite(shift.lower) ? shift.lower : null,
    shiftUpper: Number.isFinite(shift.upper) ? shift.upper : null,
    confidence: config.confidence,
    bound,
  };
  const interval = `${(config.confidence * 100).toFixed(0)} % interval of the shift [${shift.lower.toPrecision(4)}, ${shift.upper.toPrecision(4)}]`;
  if (watchesRise(metric) && shift.lower > bound && ratio > allowed.high)
    return judgementOf(
      evidence,
      'high',
      `canary higher: ${interval} lies above ${bound.toPrecision(4)} and the mean moved ${pct(ratio)} (allowed ${pct(allowed.high)})`,
      statistics,
    );
  if (watchesFall(metric) && shift.upper < -bound && ratio < allowed.low)
    return judgementOf(
      evidence,
      'low',
      `canary lower: ${interval} lies below ${(-bound).toPrecision(4)} and the mean moved ${pct(ratio)} (allowed ${pct(allowed.low)})`,
      statistics,
    );
  return judgementOf(
    evidence,
    'pass',
    `no harmful change: ${interval}, mean ${pct(ratio)}, p = ${test.pValue.toPrecision(3)}`,
    statistics,
  );
}

export function judgeCanaryFixed(
  config: ResolvedCanaryConfig,
  baseline: CanarySamples,
  canary: CanarySamples,
): CanaryJudgement {
  const metrics = config.metrics.map((m) =>
    judgeMetricFixed(gatherEvidence(m, baseline, canary), config),
  );
  return scoreCanary('fixed', config, metrics);
}
