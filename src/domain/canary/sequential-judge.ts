/**
 * The anytime-valid judge: a normal-mixture SPRT (ADR 0300-1) on paired per-interval
 * differences, which may be evaluated after every new sample without inflating false
 * alarms. Pair t compares the canary's t-th sample with the baseline's t-th, so load
 * that moves both together cancels out. A metric fails as soon as the confidence
 * sequence for `canary − allowed × baseline` lies wholly on the harmful side; it passes
 * early when the sequence lies wholly on the safe side, or at the horizon (`maxSamples`
 * pairs) without failing; until then it is undecided and the run says it keeps watching.
 */
import { mixtureSprt, type MixtureSprtState } from '../statistics/mixture-sprt.js';
import type { ResolvedCanaryConfig } from './config.js';
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
import type { CanarySamples } from './series.js';

function differences(baseline: number[], canary: number[], n: number, ratio: number): number[] {
  const out = new Array<number>(n);
  for (let t = 0; t < n; t += 1) out[t] = canary[t]! - ratio * baseline[t]!;
  return out;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

export function judgeMetricSequential(
  evidence: MetricEvidence,
  config: ResolvedCanaryConfig,
): MetricJudgement {
  const early = judgeWithoutTest(evidence, config);
  if (early) return early;
  const metric = evidence.config;
  const { alpha, mixtureScale, maxSamples } = config.sequential;
  const pairs = Math.min(
    evidence.baseline.values.length,
    evidence.canary.values.length,
    maxSamples,
  );
  const allowed = allowedRatios(metric);
  const sides = [watchesRise(metric), watchesFall(metric)].filter(Boolean).length;
  // Two one-sided looks share alpha, so the metric's false-alarm rate stays at alpha.
  const sideAlpha = alpha / sides;
  const test = (ratio: number): MixtureSprtState =>
    mixtureSprt(differences(evidence.baseline.values, evidence.canary.values, pairs, ratio), {
      alpha: sideAlpha,
      mixtureScale,
    });
  const rise = watchesRise(metric) ? test(allowed.high) : null;
  const fall = watchesFall(metric) ? test(allowed.low) : null;
  const statistics: MetricJudgement['statistics'] = {
    pairs,
    alpha,
    riseLikelihoodRatio: rise?.likelihoodRatio ?? null,
    riseLower: rise ? rise.lower : null,
    riseUpper: rise ? rise.upper : null,
    fallLikelihoodRatio: fall?.likelihoodRatio ?? null,
    fallLower: fall ? fall.lower : null,
    fallUpper: fall ? fall.upper : null,
  };
  const sequence = (s: MixtureSprtState) => `[${fmt(s.lower)}, ${fmt(s.upper)}]`;
  if (rise && rise.lower > 0)
    return judgementOf(
      evidence,
      'high',
      `canary higher after ${pairs} pairs: canary − ${allowed.high} × baseline lies in ${sequence(rise)}, above 0 (anytime-valid, alpha ${alpha})`,
      statistics,
    );
  if (fall && fall.upper < 0)
    return judgementOf(
      evidence,
      'low',
      `canary lower after ${pairs} pairs: canary − ${allowed.low} × baseline lies in ${sequence(fall)}, below 0 (anytime-valid, alpha ${alpha})`,
      statistics,
    );
  const safe = (!rise || rise.upper < 0) && (!fall || fall.lower > 0);
  if (safe)
    return judgementOf(
      evidence,
      'pass',
      `within the allowed change after ${pairs} pairs: every harmful side is excluded`,
      statistics,
    );
  if (pairs >= maxSamples)
    return judgementOf(
      evidence,
      'pass',
      `no harmful change detected over the full horizon of ${maxSamples} pairs`,
      statistics,
    );
  return judgementOf(
    evidence,
    'undecided',
    `no harmful change yet after ${pairs} of ${maxSamples} pairs; keep watching`,
    statistics,
  );
}

export function judgeCanarySequential(
  config: ResolvedCanaryConfig,
  baseline: CanarySamples,
  canary: CanarySamples,
): CanaryJudgement {
  const metrics = config.metrics.map((m) =>
    judgeMetricSequential(gatherEvidence(m, baseline, canary), config),
  );
  return scoreCanary('sequential', config, metrics);
}
