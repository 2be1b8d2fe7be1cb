import { Type } from '@sinclair/typebox';
import { applyCatalog } from '../../app/catalog/applyCatalog.js';
import { readCatalog, readService } from '../../app/catalog/queries.js';
import { execute, query } from '../../app/context.js';
import { CatalogDocument } from '../../domain/catalog.js';
import { ERROR_RESPONSES, NameParam } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const ChangeSchema = Type.Object({
  kind: Type.String(),
  name: Type.String(),
  change: Type.String({ enum: ['created', 'updated', 'unchanged'] }),
  fields: Type.Optional(Type.Array(Type.String())),
});

export function catalogRoutes({ server, app }: RouteDeps): void {
  const tags = ['catalog'];

  server.get(
    '/catalog',
    {
      schema: {
        tags,
        summary: 'The whole catalog: teams, services with dependencies, environments',
        response: { 200: CatalogDocument, ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => readCatalog(ctx)),
  );

  server.post(
    '/catalog/apply',
    {
      schema: {
        tags,
        summary:
          'Apply a catalog document idempotently; reports what was created, updated or left unchanged',
        querystring: Type.Object(
          { dryRun: Type.Boolean({ default: false }) },
          { additionalProperties: false },
        ),
        body: CatalogDocument,
        response: {
          200: Type.Object({
            dryRun: Type.Boolean(),
            changes: Type.Array(ChangeSchema),
            summary: Type.Object({
              created: Type.Integer(),
              updated: Type.Integer(),
              unchanged: Type.Integer(),
            }),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) =>
        applyCatalog(ctx, request.body, { dryRun: request.query.dryRun }),
      ),
  );

  server.get(
    '/services/:name',
    {
      schema: {
        tags,
        summary: 'One service with what it depends on and what depends on it',
        params: NameParam,
        response: {
          200: Type.Object({
            name: Type.String(),
            team: Type.String(),
            tier: Type.Integer(),
            customerFacing: Type.Boolean(),
            dataSensitivity: Type.String(),
            description: Type.String(),
            slos: Type.Array(
              Type.Object({ name: Type.String(), objective: Type.String(), target: Type.Number() }),
            ),
            dependsOn: Type.Array(Type.String()),
            dependents: Type.Array(Type.String()),
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => readService(ctx, request.params.name)),
  );
}
