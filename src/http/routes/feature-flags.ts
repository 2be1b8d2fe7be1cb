/**
 * Feature-flag rollouts: read a flag's state and exposure through the configured flag
 * service and record each change as a rollout step; compare flag-on with flag-off
 * cohorts in a canary analysis.
 */
import { Type } from '@sinclair/typebox';
import { pushCanarySamples } from '../../app/canary/pushCanarySamples.js';
import { execute, query } from '../../app/context.js';
import { listFlagSteps, observeFlag } from '../../app/rollout/flagRolloutSteps.js';
import { PushCohortSamplesInput, cohortsToSamples } from '../../domain/rollout/flag-cohorts.js';
import { StrictObject } from '../../domain/schema-kit.js';
import { CanaryAnalysisSchema } from '../schemas/canary.js';
import { ERROR_RESPONSES, IdParam } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const FlagKey = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' });
const FlagStep = StrictObject({
  release: Type.String(),
  flag: Type.String(),
  step: Type.Integer(),
  enabled: Type.Boolean(),
  exposurePercent: Type.Number(),
  provider: Type.String(),
  observedAt: Type.String(),
  recordedBy: Type.String(),
});
const NOT_FOUND = { 404: Type.Ref('Problem') };

export function featureFlagRoutes({ server, app }: RouteDeps): void {
  server.post(
    '/releases/:id/flag-steps',
    {
      schema: {
        tags: ['rollout'],
        summary:
          "Read a flag's state and exposure from the flag service and record it as the release's next rollout step when it changed",
        params: IdParam,
        body: StrictObject({ flag: FlagKey }),
        response: {
          200: StrictObject({ changed: Type.Boolean(), step: FlagStep }),
          ...ERROR_RESPONSES,
          ...NOT_FOUND,
        },
      },
    },
    async (request) => observeFlag(app, request.actor, request.params.id, request.body.flag),
  );

  server.get(
    '/releases/:id/flag-steps',
    {
      schema: {
        tags: ['rollout'],
        summary: 'The rollout steps of a release recorded from flag exposure, per flag in order',
        params: IdParam,
        response: { 200: Type.Array(FlagStep), ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listFlagSteps(ctx, request.params.id)),
  );

  server.post(
    '/canary-analyses/:id/cohort-samples',
    {
      schema: {
        tags: ['canary'],
        summary:
          'Append samples tagged by flag cohort: flag-on users are judged as the canary, flag-off users as the baseline',
        params: IdParam,
        body: PushCohortSamplesInput,
        response: { 200: CanaryAnalysisSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) =>
        pushCanarySamples(ctx, request.params.id, cohortsToSamples(request.body)),
      ),
  );
}
