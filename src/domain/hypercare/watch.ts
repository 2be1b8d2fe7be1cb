/**
 * A hypercare watch: after a successful production deployment, for the stabilisation
 * window of its release class, each watched metric after the deployment marker is
 * compared with its own behaviour before it (`detectRegression`). A harmful shift on any
 * metric is a regression; a window that ends with every metric judged stable is stable;
 * a window that ends without a judgement is `cannot-judge` — never a silent pass.
 */
import type { RegressionFinding } from './regression-detector.js';

export const WATCH_STATUSES = ['watching', 'regression', 'stable', 'cannot-judge'] as const;
export type WatchStatus = (typeof WATCH_STATUSES)[number];

export type WatchedDirection = 'increase' | 'decrease' | 'either';

export interface MetricFinding {
  metric: string;
  status: RegressionFinding['status'] | 'unreadable';
  reason: string;
  /** After how many post-marker samples a regression was seen. */
  afterSamples: number;
}

/** A detector alarm only counts when the metric moved the harmful way. */
export function harmful(
  finding: RegressionFinding,
  direction: WatchedDirection,
): MetricFinding['status'] {
  if (finding.status !== 'regression') return finding.status;
  if (direction === 'either') return 'regression';
  const bad = direction === 'increase' ? 'up' : 'down';
  return finding.direction === bad ? 'regression' : 'stable';
}

export function judgeWatch(
  findings: readonly MetricFinding[],
  windowOver: boolean,
): { status: WatchStatus; reason: string } {
  const regressions = findings.filter((f) => f.status === 'regression');
  if (regressions.length > 0)
    return {
      status: 'regression',
      reason: `regression in ${regressions.map((f) => `${f.metric} (${f.reason})`).join('; ')}`,
    };
  if (!windowOver)
    return {
      status: 'watching',
      reason: 'within the stabilisation window; no harmful shift so far',
    };
  if (findings.length === 0)
    return {
      status: 'cannot-judge',
      reason:
        'the window ended with no watched metric: the policy names none, so nothing was judged',
    };
  const unjudged = findings.filter((f) => f.status !== 'stable');
  if (unjudged.length > 0)
    return {
      status: 'cannot-judge',
      reason: `the window ended without a judgement for ${unjudged.map((f) => `${f.metric} (${f.reason})`).join('; ')}`,
    };
  return { status: 'stable', reason: 'the window ended with every watched metric stable' };
}
