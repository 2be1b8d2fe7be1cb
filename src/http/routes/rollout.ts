/** Staged-rollout decisions on a release: decide (and record) the next move, list them. */
import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import { listRolloutDecisions, recordRolloutDecision } from '../../app/rollout/decideRollout.js';
import { RolloutDecisionRequest } from '../../domain/rollout/rollout-request.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const Check = Type.Object({
  criterion: Type.String({ enum: ['error-rate', 'p95-latency', 'business-metric'] }),
  at: Type.String(),
  observed: Nullable(Type.Number()),
  limit: Type.Number(),
  met: Type.Boolean(),
  reason: Type.String(),
});

const RolloutDecisionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  release: Type.String(),
  environment: Type.String(),
  decidedAt: Type.String(),
  actor: Type.String(),
  decision: Type.String({ enum: ['promote', 'hold', 'roll-back'] }),
  reason: Type.String(),
  nextPercent: Type.Number(),
  halted: Type.Boolean(),
  evidence: Type.Array(Check),
  rollbackOrder: Type.Array(Type.String()),
  healthyMinutes: Type.Number(),
});

export function rolloutRoutes({ server, app }: RouteDeps): void {
  server.post(
    '/releases/:id/rollout-decisions',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'Decide promote, hold or roll back for a staged rollout from its health, and record it with the evidence',
        params: IdParam,
        body: RolloutDecisionRequest,
        response: { 201: RolloutDecisionSchema, ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const decision = await execute(app, request.actor, (ctx) =>
        recordRolloutDecision(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return decision;
    },
  );

  server.get(
    '/releases/:id/rollout-decisions',
    {
      schema: {
        tags: ['rollout'],
        summary: 'Rollout decisions of a release, oldest first',
        params: IdParam,
        response: {
          200: Type.Array(RolloutDecisionSchema),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => listRolloutDecisions(ctx, request.params.id)),
  );
}
