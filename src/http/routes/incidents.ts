import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import { linkDeployment } from '../../app/incidents/linkDeployment.js';
import {
  getIncident,
  listIncidents,
  suggestCausingDeployments,
} from '../../app/incidents/queries.js';
import { recordIncident } from '../../app/incidents/recordIncident.js';
import { CreateIncidentInput, LinkDeploymentInput } from '../../domain/incident.js';
import { Instant, Slug } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Page, PageQuery } from '../schemas/common.js';
import { IncidentSchema, SuggestedCauseSchema } from '../schemas/incident.js';
import type { RouteDeps } from './index.js';

export function incidentRoutes({ server, app }: RouteDeps): void {
  const tags = ['incidents'];

  server.post(
    '/incidents',
    {
      schema: {
        tags,
        summary: 'Record an incident, optionally naming the deployments that caused it',
        body: CreateIncidentInput,
        response: { 201: Type.Ref('Incident'), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const incident = await execute(app, request.actor, (ctx) =>
        recordIncident(ctx, request.body),
      );
      void reply.code(201).header('location', `/incidents/${incident.key}`);
      return incident;
    },
  );

  server.get(
    '/incidents',
    {
      schema: {
        tags,
        summary: 'List incidents, latest started first',
        querystring: Type.Object(
          {
            ...PageQuery,
            service: Type.Optional(Slug),
            team: Type.Optional(Slug),
            release: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: 'only incidents linked to a deployment of this release (key or id)',
              }),
            ),
            severity: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
            open: Type.Optional(
              Type.Boolean({ description: 'true: unresolved only; false: resolved only' }),
            ),
            since: Type.Optional(Instant),
            until: Type.Optional(Instant),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Type.Ref('Incident')), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listIncidents(ctx, request.query)),
  );

  server.get(
    '/incidents/:id',
    {
      schema: {
        tags,
        summary: 'Read one incident by id or key, with MTTD and MTTR',
        params: IdParam,
        response: { 200: Type.Ref('Incident'), ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getIncident(ctx, request.params.id)),
  );

  server.post(
    '/incidents/:id/deployments',
    {
      schema: {
        tags,
        summary: 'Link a deployment as a cause of the incident',
        params: IdParam,
        body: LinkDeploymentInput,
        response: {
          200: Type.Ref('Incident'),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => linkDeployment(ctx, request.params.id, request.body)),
  );

  server.get(
    '/incidents/:id/suggested-causes',
    {
      schema: {
        tags,
        summary:
          'Production deployments of the service and its dependencies shortly before the incident, likeliest first, each with its reason',
        params: IdParam,
        response: {
          200: Type.Object({
            incident: Type.String(),
            suggestions: Type.Array(SuggestedCauseSchema),
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => suggestCausingDeployments(ctx, request.params.id)),
  );
}

export const INCIDENT_SCHEMAS = [IncidentSchema];
