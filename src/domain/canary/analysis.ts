/**
 * A canary analysis on a release: what is compared (service, environment), by which
 * judge and config, and the shapes of its pushed samples. Inputs are TypeBox schemas so
 * HTTP validation, OpenAPI and the types come from one definition.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CanaryConfig } from './config.js';
import type { CanaryJudgement } from './judgement.js';
import { Slug, StrictObject, StringEnum } from '../schema-kit.js';

export const CANARY_JUDGES = ['fixed', 'sequential'] as const;
export type CanaryJudgeName = (typeof CANARY_JUDGES)[number];

export const CreateCanaryAnalysisInput = StrictObject({
  service: Slug,
  environment: Slug,
  judge: StringEnum(CANARY_JUDGES, { default: 'fixed' }),
  config: CanaryConfig,
});
export type CreateCanaryAnalysisInput = Static<typeof CreateCanaryAnalysisInput>;

/** Per metric, samples in the order taken; null is a missing sample (NaN in JSON). */
const SampleSeries = Type.Record(
  Type.String({ minLength: 1, maxLength: 200 }),
  Type.Array(Type.Union([Type.Number(), Type.Null()]), { maxItems: 10_000 }),
  { maxProperties: 500 },
);

export const PushCanarySamplesInput = StrictObject({
  baseline: Type.Optional(SampleSeries),
  canary: Type.Optional(SampleSeries),
});
export type PushCanarySamplesInput = Static<typeof PushCanarySamplesInput>;

export interface CanaryAnalysis {
  id: string;
  release: string;
  service: string;
  environment: string;
  judge: CanaryJudgeName;
  config: CanaryConfig;
  /** Samples held per group and metric. */
  samples: { baseline: Record<string, number>; canary: Record<string, number> };
  createdAt: string;
  actor: string;
}

export interface RecordedCanaryVerdict extends CanaryJudgement {
  id: string;
  analysis: string;
  judgedAt: string;
  actor: string;
}
