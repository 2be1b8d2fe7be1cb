import { Type } from '@sinclair/typebox';
import { query } from '../../app/context.js';
import { releaseDependencies } from '../../app/releases/releaseDependencies.js';
import { ERROR_RESPONSES, IdParam } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const Names = Type.Array(Type.String());

export function dependencyRoutes({ server, app }: RouteDeps): void {
  server.get(
    '/releases/:id/dependencies',
    {
      schema: {
        tags: ['releases'],
        summary:
          'Deploy order, rollback order (reverse topological) and downstream impact of a release',
        params: IdParam,
        response: {
          200: Type.Object({
            release: Type.String(),
            services: Names,
            deployOrder: Names,
            rollbackOrder: Names,
            downstream: Type.Array(
              Type.Object({
                service: Type.String(),
                team: Type.String(),
                tier: Type.Integer(),
                customerFacing: Type.Boolean(),
                via: Names,
              }),
            ),
            customerFacing: Type.Object({ changed: Names, downstream: Names }),
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => releaseDependencies(ctx, request.params.id)),
  );
}
