/** What the canary routes return, for OpenAPI and serialisation. */
import { Type } from '@sinclair/typebox';
import { CANARY_JUDGES } from '../../domain/canary/analysis.js';
import { CanaryConfig } from '../../domain/canary/config.js';
import { Nullable } from './common.js';

const Counts = Type.Record(Type.String(), Type.Integer());

export const CanaryAnalysisSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  release: Type.String(),
  service: Type.String(),
  environment: Type.String(),
  judge: Type.String({ enum: [...CANARY_JUDGES] }),
  config: CanaryConfig,
  samples: Type.Object({ baseline: Counts, canary: Counts }),
  createdAt: Type.String(),
  actor: Type.String(),
});

const Summary = Type.Object({
  count: Type.Integer(),
  missing: Type.Integer(),
  mean: Nullable(Type.Number()),
  median: Nullable(Type.Number()),
});

export const MetricJudgementSchema = Type.Object({
  metric: Type.String(),
  outcome: Type.String({
    enum: ['pass', 'high', 'low', 'no-data', 'too-little-data', 'undecided'],
  }),
  critical: Type.Boolean(),
  weight: Type.Number(),
  failing: Type.Boolean(),
  reason: Type.String(),
  baseline: Summary,
  canary: Summary,
  meanRatio: Nullable(Type.Number()),
  statistics: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Null()])),
});

export const CanaryVerdictSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  analysis: Type.String(),
  judgedAt: Type.String(),
  actor: Type.String(),
  judge: Type.String({ enum: [...CANARY_JUDGES] }),
  outcome: Type.String({ enum: ['pass', 'marginal', 'fail', 'inconclusive'] }),
  decision: Type.String({ enum: ['promote', 'hold', 'roll-back'] }),
  score: Nullable(Type.Number()),
  reason: Type.String(),
  metrics: Type.Array(MetricJudgementSchema),
});
