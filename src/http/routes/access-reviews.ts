import { Type } from '@sinclair/typebox';
import { accessReviewReport, decideAccessReview } from '../../app/access/accessReview.js';
import { execute, query } from '../../app/context.js';
import { AccessReviewDecisionInput } from '../../domain/access-review.js';
import { ERROR_RESPONSES, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const LastReviewSchema = Nullable(
  Type.Object({
    decision: Type.String(),
    reviewer: Type.String(),
    reason: Type.String(),
    at: Type.String(),
  }),
);

export function accessReviewRoutes({ server, app }: RouteDeps): void {
  const tags = ['access-reviews'];

  server.get(
    '/access-reviews/report',
    {
      schema: {
        tags,
        summary:
          'Who holds which role and API token, granted when and by whom, last used when (to the hour), last reviewed when',
        response: {
          200: Type.Object({
            generatedAt: Type.String(),
            lastUsedGranularity: Type.String(),
            roles: Type.Array(
              Type.Object({
                user: Type.String(),
                displayName: Type.String(),
                role: Type.String(),
                grantedAt: Type.String(),
                grantedBy: Type.String(),
                userDisabled: Type.Boolean(),
                lastUsedAt: Nullable(Type.String()),
                lastReview: LastReviewSchema,
              }),
            ),
            tokens: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                user: Type.String(),
                prefix: Type.String(),
                createdAt: Type.String(),
                expiresAt: Nullable(Type.String()),
                expired: Type.Boolean(),
                lastUsedAt: Nullable(Type.String()),
                lastReview: LastReviewSchema,
              }),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => accessReviewReport(ctx)),
  );

  server.post(
    '/access-reviews/decisions',
    {
      schema: {
        tags,
        summary: 'Confirm or revoke one role or token (audited; a revocation takes effect at once)',
        body: AccessReviewDecisionInput,
        response: {
          201: Type.Object({
            id: Type.String(),
            grant: Type.String(),
            grantId: Type.String(),
            decision: Type.String(),
            reason: Type.String(),
            reviewer: Type.String(),
            decidedAt: Type.String(),
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const decision = await execute(app, request.actor, (ctx) =>
        decideAccessReview(ctx, request.body),
      );
      // Other replicas stop honouring it within the authenticator's memory (seconds).
      if (decision.decision === 'revoked') server.forgetAuthentications();
      void reply.code(201);
      return decision;
    },
  );
}
