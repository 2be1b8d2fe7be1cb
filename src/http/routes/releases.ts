import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listDeployments, recordDeployment } from '../../app/deployments/recordDeployment.js';
import { execute, query } from '../../app/context.js';
import { createRelease } from '../../app/releases/createRelease.js';
import {
  getRelease,
  listReleases,
  readRelease,
  releaseTransitions,
} from '../../app/releases/queries.js';
import { previewTransition, transitionRelease } from '../../app/releases/transitionRelease.js';
import { updateRelease } from '../../app/releases/updateRelease.js';
import { RecordDeploymentInput } from '../../domain/deployment.js';
import { GatehouseError } from '../../domain/errors.js';
import { nextStates } from '../../domain/lifecycle.js';
import {
  CLASSIFICATIONS,
  CreateReleaseInput,
  RELEASE_STATES,
  UpdateReleaseInput,
  type Release,
  type ReleaseState,
} from '../../domain/release.js';
import { Slug, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Page, PageQuery } from '../schemas/common.js';
import {
  DeploymentSchema,
  ListedReleaseSchema,
  ReleaseSchema,
  RISK_LEVELS,
  TransitionEvaluationSchema,
} from '../schemas/release.js';
import type { RouteDeps } from './index.js';
import { sendSerialized, serializedOnce } from '../serializedOnce.js';

const etag = (release: Release) => `"${release.revision}"`;

/** Reads the revision a client holds from If-Match (`"7"`, `W/"7"`). */
function ifMatchRevision(request: FastifyRequest, required: boolean): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) {
    if (!required) return undefined;
    throw new GatehouseError(
      'precondition-required',
      'if-match-required',
      'send If-Match with the ETag from reading the release, so a concurrent change is not overwritten',
      { field: '/headers/if-match' },
    );
  }
  const match = /^(?:W\/)?"(\d+)"$/.exec(String(header).trim());
  if (!match)
    throw new GatehouseError(
      'invalid',
      'invalid-if-match',
      'If-Match must be an ETag this server issued, e.g. "3"',
      { field: '/headers/if-match' },
    );
  return Number(match[1]);
}

function withEtag(reply: FastifyReply, release: Release): Release {
  void reply.header('etag', etag(release));
  return release;
}

export function releaseRoutes({ server, app }: RouteDeps): void {
  const tags = ['releases'];

  server.post(
    '/releases',
    {
      schema: {
        tags,
        summary: 'Create a release (it starts in Plan)',
        body: CreateReleaseInput,
        response: { 201: Type.Ref('Release'), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const release = await execute(app, request.actor, (ctx) => createRelease(ctx, request.body));
      void reply.code(201).header('location', `/releases/${release.key}`);
      return withEtag(reply, release);
    },
  );

  server.get(
    '/releases',
    {
      schema: {
        tags,
        summary: 'List releases, newest first, each with its risk score and level',
        description:
          'Each item carries `risk`: the score and level of GET /releases/{id}/risk (without the model probability), computed for the returned page only. `risk` filters by that level.',
        querystring: Type.Object(
          {
            ...PageQuery,
            state: Type.Optional(
              Type.Array(StringEnum(RELEASE_STATES), {
                maxItems: RELEASE_STATES.length,
                description: 'repeat or comma-separate',
              }),
            ),
            classification: Type.Optional(StringEnum(CLASSIFICATIONS)),
            service: Type.Optional(Slug),
            team: Type.Optional(Slug),
            risk: Type.Optional(
              StringEnum(RISK_LEVELS, { description: 'only releases whose risk is at this level' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ListedReleaseSchema), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { limit, cursor, state, classification, service, team, risk } = request.query;
      return query(app, request.actor, (ctx) =>
        listReleases(ctx, {
          limit,
          cursor,
          state: state as ReleaseState[] | undefined,
          classification,
          service,
          team,
          risk,
        }),
      );
    },
  );

  server.get(
    '/releases/:id',
    {
      schema: {
        tags,
        summary: 'Read one release by id or key',
        params: IdParam,
        response: { 200: Type.Ref('Release'), ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    // Not async: a remembered release (nearly every read under load) is answered in this
    // turn, without the promises and microtask hops an async handler costs.
    (request, reply) => {
      const send = (release: Release) =>
        sendSerialized(reply, serializedOnce(reply, withEtag(reply, release)));
      const release = readRelease(app, request.actor, request.params.id);
      if (release instanceof Promise) return release.then(send);
      send(release);
    },
  );

  server.patch(
    '/releases/:id',
    {
      schema: {
        tags,
        summary: "Change a release's content (needs If-Match)",
        params: IdParam,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 100 })) }),
        body: UpdateReleaseInput,
        response: {
          200: Type.Ref('Release'),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
          412: Type.Ref('Problem'),
          428: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const revision = ifMatchRevision(request, true)!;
      return withEtag(
        reply,
        await execute(app, request.actor, (ctx) =>
          updateRelease(ctx, request.params.id, revision, request.body),
        ),
      );
    },
  );

  server.post(
    '/releases/:id/transitions',
    {
      schema: {
        tags,
        summary: 'Move a release to another lifecycle state; refused with every failed check',
        params: IdParam,
        body: Type.Object(
          {
            to: StringEnum(RELEASE_STATES),
            reason: Type.Optional(Type.String({ maxLength: 5000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            release: Type.Ref('Release'),
            evaluation: TransitionEvaluationSchema,
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
          412: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const expectedRevision = ifMatchRevision(request, false);
      const result = await execute(app, request.actor, (ctx) =>
        transitionRelease(ctx, request.params.id, {
          to: request.body.to,
          reason: request.body.reason,
          expectedRevision,
        }),
      );
      void reply.header('etag', etag(result.release));
      return result;
    },
  );

  server.get(
    '/releases/:id/transitions',
    {
      schema: {
        tags,
        summary: 'The lifecycle history of a release',
        params: IdParam,
        response: {
          200: Type.Array(
            Type.Object({
              from: Type.String(),
              to: Type.String(),
              actor: Type.String(),
              reason: Type.Union([Type.String(), Type.Null()]),
              at: Type.String(),
            }),
          ),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => releaseTransitions(ctx, request.params.id)),
  );

  server.get(
    '/releases/:id/next-states',
    {
      schema: {
        tags,
        summary: 'Each state the release may move to next, with every check evaluated now',
        params: IdParam,
        response: {
          200: Type.Array(TransitionEvaluationSchema),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      query(app, request.actor, async (ctx) => {
        const release = await getRelease(ctx, request.params.id);
        const evaluations = [];
        for (const to of nextStates(release.state))
          evaluations.push(await previewTransition(ctx, release.id, to, 'preview'));
        return evaluations;
      }),
  );

  server.post(
    '/releases/:id/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Record a deployment of one service of the release',
        description:
          "A production deployment is refused (409, code gate-not-passed, with the gate's failed rules) " +
          'unless the release passes its gate for that environment; emergency releases are judged by the emergency policy.',
        params: IdParam,
        body: RecordDeploymentInput,
        response: {
          201: Type.Ref('Deployment'),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const deployment = await execute(app, request.actor, (ctx) =>
        recordDeployment(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return deployment;
    },
  );

  server.get(
    '/releases/:id/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Deployments of a release, oldest first',
        params: IdParam,
        response: {
          200: Type.Array(DeploymentSchema),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listDeployments(ctx, request.params.id)),
  );
}

export const RELEASE_SCHEMAS = [ReleaseSchema, DeploymentSchema];
