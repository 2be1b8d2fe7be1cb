/** Hypercare: the watches opened by production deployments, and the check that runs them. */
import { Type } from '@sinclair/typebox';
import { checkHypercareWatches } from '../../app/hypercare/checkHypercareWatches.js';
import { listHypercareWatches } from '../../app/hypercare/queries.js';
import { query } from '../../app/context.js';
import { WATCH_STATUSES } from '../../domain/hypercare/watch.js';
import { StrictObject, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const Status = StringEnum(WATCH_STATUSES);
const Finding = Type.Object({
  metric: Type.String(),
  status: Type.String(),
  reason: Type.String(),
  afterSamples: Type.Integer(),
});
const Watch = Type.Object({
  id: Type.String(),
  release: Type.String(),
  service: Type.String(),
  environment: Type.String(),
  markerAt: Type.String(),
  endsAt: Type.String(),
  status: Status,
  reason: Nullable(Type.String()),
  metrics: Type.Array(Finding),
  checkedAt: Nullable(Type.String()),
});

export function hypercareRoutes({ server, app }: RouteDeps): void {
  const tags = ['hypercare'];
  server.get(
    '/releases/:id/hypercare',
    {
      schema: {
        tags,
        summary:
          "The release's hypercare watches: one per successful production deployment, with the regression detector's findings",
        params: IdParam,
        response: { 200: Type.Array(Watch), ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => listHypercareWatches(ctx, request.params.id)),
  );

  server.post(
    '/hypercare/checks',
    {
      schema: {
        tags,
        summary:
          'Run the hypercare check now (the scheduler runs it every few minutes): every open watch against its metrics',
        body: StrictObject({}),
        response: {
          200: Type.Object({
            checked: Type.Integer(),
            concluded: Type.Array(
              Type.Object({
                watch: Type.String(),
                release: Type.String(),
                service: Type.String(),
                status: Status,
                reason: Type.String(),
              }),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => checkHypercareWatches(app, request.actor),
  );
}
