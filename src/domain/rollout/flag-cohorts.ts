/**
 * A flag-driven rollout compares the users the flag serves (on) with those it does not
 * (off), at the same time and on the same version: flag-on is the canary, flag-off the
 * baseline, so the canary judges and their config apply unchanged.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { PushCanarySamplesInput } from '../canary/analysis.js';
import { StrictObject } from '../schema-kit.js';

const SampleSeries = Type.Record(
  Type.String({ minLength: 1, maxLength: 200 }),
  Type.Array(Type.Union([Type.Number(), Type.Null()]), { maxItems: 10_000 }),
  { maxProperties: 500 },
);

export const PushCohortSamplesInput = StrictObject({
  flag: Type.String({ minLength: 1, maxLength: 200, description: 'the flag the cohorts split on' }),
  cohorts: StrictObject(
    {
      'flag-on': Type.Optional(SampleSeries),
      'flag-off': Type.Optional(SampleSeries),
    },
    { description: 'samples per metric from users served the flag on, and off' },
  ),
});
export type PushCohortSamplesInput = Static<typeof PushCohortSamplesInput>;

export function cohortsToSamples(input: PushCohortSamplesInput): PushCanarySamplesInput {
  return {
    ...(input.cohorts['flag-on'] ? { canary: input.cohorts['flag-on'] } : {}),
    ...(input.cohorts['flag-off'] ? { baseline: input.cohorts['flag-off'] } : {}),
  };
}
