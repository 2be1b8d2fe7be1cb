/**
 * A release's acceptance criteria for a rollout: when to roll back at once (triggers,
 * watched during the first minutes of each step) and when a step has earned promotion
 * (SLOs met for a sustained period). Defaults are the product's (PRODUCT.md capability 8).
 */
import { Type, type Static } from '@sinclair/typebox';
import { StrictObject } from '../schema-kit.js';

export const AcceptanceCriteria = StrictObject({
  /** Error rate (a fraction of requests) above which the rollout is rolled back. */
  maxErrorRate: Type.Number({ minimum: 0, maximum: 1, default: 0.05 }),
  /** Rise of p95 latency over the pre-deployment baseline that triggers a rollback. */
  maxP95LatencyIncreaseMs: Type.Number({ minimum: 0, default: 200 }),
  /** Fall of the business metric (orders, sign-ups) below baseline that triggers a rollback. */
  maxBusinessMetricDrop: Type.Number({ minimum: 0, maximum: 1, default: 0.1 }),
  /** Triggers are watched this long after a step starts. */
  triggerWindowMinutes: Type.Number({ exclusiveMinimum: 0, default: 60 }),
  /** Healthy this long, without a gap, before a step may be promoted. */
  sustainedMinutes: Type.Number({ exclusiveMinimum: 0, default: 30 }),
  /** A silence longer than this between observations breaks "sustained". */
  maxGapMinutes: Type.Number({ exclusiveMinimum: 0, default: 5 }),
  /** Consecutive breaching observations that trip the circuit breaker. */
  breachesToTrip: Type.Integer({ minimum: 1, default: 1 }),
});
export type AcceptanceCriteria = Static<typeof AcceptanceCriteria>;

export const DEFAULT_ACCEPTANCE_CRITERIA: AcceptanceCriteria = {
  maxErrorRate: 0.05,
  maxP95LatencyIncreaseMs: 200,
  maxBusinessMetricDrop: 0.1,
  triggerWindowMinutes: 60,
  sustainedMinutes: 30,
  maxGapMinutes: 5,
  breachesToTrip: 1,
};

/** One look at the deployed step's health; a null figure is missing, never healthy. */
export interface HealthObservation {
  at: string;
  errorRate: number | null;
  p95LatencyMs: number | null;
  businessMetric: number | null;
}

/** The same figures before the deployment, which increases and drops are measured from. */
export interface HealthBaseline {
  p95LatencyMs: number;
  businessMetric: number;
}

export interface CriterionCheck {
  criterion: 'error-rate' | 'p95-latency' | 'business-metric';
  at: string;
  observed: number | null;
  limit: number;
  met: boolean;
  reason: string;
}

/** Checks one observation against every criterion; missing figures do not meet them. */
export function checkObservation(
  observation: HealthObservation,
  baseline: HealthBaseline,
  criteria: AcceptanceCriteria,
): CriterionCheck[] {
  const { at } = observation;
  const latencyLimit = baseline.p95LatencyMs + criteria.maxP95LatencyIncreaseMs;
  const businessFloor = baseline.businessMetric * (1 - criteria.maxBusinessMetricDrop);
  const check = (
    criterion: CriterionCheck['criterion'],
    observed: number | null,
    limit: number,
    ok: (v: number) => boolean,
    describe: (v: number) => string,
  ): CriterionCheck => {
    const valid = observed !== null && Number.isFinite(observed);
    return {
      criterion,
      at,
      observed: valid ? observed : null,
      limit,
      met: valid && ok(observed),
      reason: valid ? describe(observed) : `${criterion}: no data at ${at}`,
    };
  };
  return [
    check(
      'error-rate',
      observation.errorRate,
      criteria.maxErrorRate,
      (v) => v <= criteria.maxErrorRate,
      (v) =>
        `error rate ${(v * 100).toFixed(2)} % (limit ${(criteria.maxErrorRate * 100).toFixed(2)} %)`,
    ),
    check(
      'p95-latency',
      observation.p95LatencyMs,
      latencyLimit,
      (v) => v <= latencyLimit,
      (v) =>
        `p95 ${v.toFixed(0)} ms, ${(v - baseline.p95LatencyMs).toFixed(0)} ms over baseline (limit +${criteria.maxP95LatencyIncreaseMs} ms)`,
    ),
    check(
      'business-metric',
      observation.businessMetric,
      businessFloor,
      (v) => v >= businessFloor,
      (v) =>
        `business metric ${v} vs baseline ${baseline.businessMetric} (floor ${businessFloor.toFixed(2)})`,
    ),
  ];
}
