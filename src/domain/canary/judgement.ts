/**
 * The shape of a canary verdict and the scoring both judges share. A verdict explains
 * itself metric by metric; missing data or too little traffic is never a pass.
 */
import type { ResolvedCanaryConfig } from './config.js';
import type { SeriesSummary } from './series.js';

export type MetricOutcome =
  | 'pass'
  | 'high' // harmful or disallowed rise
  | 'low' // harmful or disallowed fall
  | 'no-data'
  | 'too-little-data'
  | 'undecided'; // sequential judge only: not yet enough evidence either way

export interface MetricJudgement {
  metric: string;
  outcome: MetricOutcome;
  critical: boolean;
  weight: number;
  /** Whether the outcome counts against the run (a failure, or no data with noData: fail). */
  failing: boolean;
  reason: string;
  baseline: SeriesSummary;
  canary: SeriesSummary;
  /** Canary mean / baseline mean. */
  meanRatio: number | null;
  /** The judge's own figures: U and p, or the mSPRT ratio and confidence sequence. */
  statistics: Record<string, number | string | null>;
}

export type CanaryOutcome = 'pass' | 'marginal' | 'fail' | 'inconclusive';
export type CanaryDecision = 'promote' | 'hold' | 'roll-back';

export interface CanaryJudgement {
  judge: 'fixed' | 'sequential';
  outcome: CanaryOutcome;
  decision: CanaryDecision;
  /** Weighted share of passing metrics, 0-100; null when nothing could be scored. */
  score: number | null;
  reason: string;
  metrics: MetricJudgement[];
}

const DECISION: Record<CanaryOutcome, CanaryDecision> = {
  pass: 'promote',
  marginal: 'hold',
  fail: 'roll-back',
  inconclusive: 'hold',
};

function verdict(
  judge: CanaryJudgement['judge'],
  outcome: CanaryOutcome,
  score: number | null,
  reason: string,
  metrics: MetricJudgement[],
): CanaryJudgement {
  return { judge, outcome, decision: DECISION[outcome], score, reason, metrics };
}

const names = (list: MetricJudgement[]) => list.map((m) => m.metric).join(', ');

/**
 * Kayenta's scoring: a critical failure fails the run; otherwise the weighted share of
 * passing metrics among those that could be scored, against the pass / marginal
 * thresholds. Undecided metrics (sequential) are counted both ways: the run is decided
 * only when the outcome no longer depends on them.
 */
export function scoreCanary(
  judge: CanaryJudgement['judge'],
  config: ResolvedCanaryConfig,
  metrics: MetricJudgement[],
): CanaryJudgement {
  const criticalFailures = metrics.filter(
    (m) => m.critical && m.failing && (m.outcome === 'high' || m.outcome === 'low'),
  );
  if (criticalFailures.length > 0)
    return verdict(judge, 'fail', 0, `critical metric failed: ${names(criticalFailures)}`, metrics);

  const lacking = metrics.filter((m) => m.outcome === 'no-data' || m.outcome === 'too-little-data');
  const required = lacking.filter(
    (m) => config.metrics.find((c) => c.name === m.metric)?.mustHaveData,
  );
  if (required.length > 0)
    return verdict(
      judge,
      'inconclusive',
      null,
      `required data missing or too little traffic for: ${names(required)}`,
      metrics,
    );

  const scored = metrics.filter(
    (m) => !(m.outcome === 'no-data' || m.outcome === 'too-little-data') || m.failing,
  );
  const total = scored.reduce((s, m) => s + m.weight, 0);
  if (total === 0)
    return verdict(
      judge,
      'inconclusive',
      null,
      lacking.length
        ? `no metric had enough data to judge (${names(lacking)})`
        : 'no metric to judge',
      metrics,
    );
  const passing = scored.filter((m) => m.outcome === 'pass').reduce((s, m) => s + m.weight, 0);
  const undecided = scored.filter((m) => m.outcome === 'undecided');
  const open = undecided.reduce((s, m) => s + m.weight, 0);
  const worst = (100 * passing) / total;
  const best = (100 * (passing + open)) / total;
  const { pass, marginal } = config.thresholds;
  const classify = (score: number): CanaryOutcome =>
    score >= pass ? 'pass' : score >= marginal ? 'marginal' : 'fail';
  const failing = scored.filter((m) => m.failing);
  const left = lacking.length ? `; not scored for lack of data: ${names(lacking)}` : '';
  if (undecided.length > 0 && classify(worst) !== classify(best))
    return verdict(
      judge,
      'inconclusive',
      null,
      `still gathering evidence on ${names(undecided)}: the score lies between ${worst.toFixed(0)} and ${best.toFixed(0)}${left}`,
      metrics,
    );
  const outcome = classify(worst);
  const why =
    failing.length > 0
      ? `score ${worst.toFixed(0)} (pass ≥ ${pass}, marginal ≥ ${marginal}); failing: ${names(failing)}`
      : `score ${worst.toFixed(0)}: every scored metric passed`;
  return verdict(judge, outcome, worst, why + left, metrics);
}

/**
 * The verdict when the metrics source could not be read: inconclusive, never a pass, each
 * unreadable metric with the source's own reason.
 */
export function unreadableSource(
  judge: CanaryJudgement['judge'],
  config: ResolvedCanaryConfig,
  source: string,
  failures: ReadonlyArray<{ metric: string; reason: string }>,
): CanaryJudgement {
  const empty = { count: 0, missing: 0, mean: null, median: null };
  const metrics = failures.map(({ metric, reason }): MetricJudgement => {
    const declared = config.metrics.find((m) => m.name === metric);
    return {
      metric,
      outcome: 'no-data',
      critical: declared?.critical ?? false,
      weight: declared?.weight ?? 1,
      failing: false,
      reason: `${source} could not be read: ${reason}`,
      baseline: empty,
      canary: empty,
      meanRatio: null,
      statistics: {},
    };
  });
  return verdict(
    judge,
    'inconclusive',
    null,
    `the metrics could not be read from ${source}, so nothing was judged: ${failures
      .map((f) => `${f.metric}: ${f.reason}`)
      .join('; ')}`,
    metrics,
  );
}
