/**
 * What a pipeline sends to have a staged rollout decided: the steps and where it is, the
 * pre-deployment baseline, the health observed since the step started, optional
 * criteria overriding the release's defaults, and optionally a recorded canary verdict.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Instant, Slug, StrictObject } from '../schema-kit.js';
import type { RolloutDecision } from './rollout-decision.js';

const Figure = Type.Union([Type.Number(), Type.Null()]);

export const RolloutDecisionRequest = StrictObject({
  environment: Slug,
  rollout: StrictObject({
    steps: Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100 }), {
      minItems: 1,
      maxItems: 20,
      description: 'traffic percentages, ascending, e.g. [5, 25, 50, 100]',
    }),
    current: Type.Integer({ minimum: 0, description: 'index of the step now deployed' }),
    stepStartedAt: Instant,
  }),
  baseline: StrictObject({
    p95LatencyMs: Type.Number({ minimum: 0 }),
    businessMetric: Type.Number({ minimum: 0 }),
  }),
  observations: Type.Array(
    StrictObject({
      at: Instant,
      errorRate: Figure,
      p95LatencyMs: Figure,
      businessMetric: Figure,
    }),
    { maxItems: 20_000 },
  ),
  criteria: Type.Optional(
    StrictObject({
      maxErrorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      maxP95LatencyIncreaseMs: Type.Optional(Type.Number({ minimum: 0 })),
      maxBusinessMetricDrop: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      triggerWindowMinutes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
      sustainedMinutes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
      maxGapMinutes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
      breachesToTrip: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
  ),
  canaryVerdict: Type.Optional(Type.String({ format: 'uuid' })),
});
export type RolloutDecisionRequest = Static<typeof RolloutDecisionRequest>;

export interface RecordedRolloutDecision extends RolloutDecision {
  id: string;
  release: string;
  environment: string;
  decidedAt: string;
  actor: string;
}
