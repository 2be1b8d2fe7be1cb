/**
 * ITSM change records (issue 10, point 1): connections to ServiceNow / Jira Service
 * Management (secrets masked on every read), a release's change records, and the sync
 * backlog with retry.
 */
import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import {
  createConnection,
  getConnection,
  listConnections,
  updateConnection,
} from '../../app/itsm/connections.js';
import { itsmBacklog, releaseChanges, retryOperation } from '../../app/itsm/queries.js';
import { ITSM_KINDS } from '../../domain/itsm.js';
import { StrictObject, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const Settings = StrictObject(
  {
    projectKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    issueType: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    closeTransition: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cancelTransition: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    changeType: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  {
    description:
      'Jira: projectKey (required), issueType, closeTransition, cancelTransition; ServiceNow: changeType',
  },
);

const ConnectionSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    kind: StringEnum(ITSM_KINDS),
    baseUrl: Type.String(),
    auth: StringEnum(['basic', 'bearer'] as const),
    username: Nullable(Type.String()),
    secret: Type.String({ description: 'always masked' }),
    settings: Type.Object({}, { additionalProperties: true }),
    active: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'ItsmConnection' },
);

const ChangeSchema = Type.Object(
  {
    connection: Type.String(),
    kind: Type.String(),
    externalId: Type.String({ description: 'ServiceNow sys_id / Jira issue id' }),
    number: Type.String({ description: 'ServiceNow number / Jira issue key' }),
    url: Type.String(),
    state: Type.String({ description: 'open | closed' }),
    outcome: Nullable(Type.String()),
    openedAt: Type.String(),
    syncedAt: Type.String(),
    pendingOperations: Type.Integer(),
  },
  { $id: 'ItsmChange' },
);

const OperationSchema = Type.Object(
  {
    id: Type.String(),
    connection: Type.String(),
    release: Type.String(),
    kind: Type.String({ description: 'open | update | close' }),
    status: Type.String({ description: 'pending | failed' }),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Type.String()),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  { $id: 'ItsmOperation' },
);

const Secret = Type.String({ minLength: 1, maxLength: 4000 });
const BaseUrl = Type.String({ minLength: 1, maxLength: 2000 });

export function itsmRoutes({ server, app }: RouteDeps): void {
  const tags = ['itsm'];
  server.addSchema(ConnectionSchema);
  server.addSchema(ChangeSchema);
  server.addSchema(OperationSchema);

  server.post(
    '/itsm/connections',
    {
      schema: {
        tags,
        summary: 'Connect ServiceNow or Jira Service Management (admin)',
        body: StrictObject({
          name: Type.String({ minLength: 1, maxLength: 63 }),
          kind: StringEnum(ITSM_KINDS),
          baseUrl: BaseUrl,
          auth: StringEnum(['basic', 'bearer'] as const),
          username: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          secret: Secret,
          settings: Type.Optional(Settings),
          active: Type.Optional(Type.Boolean()),
        }),
        response: { 201: Type.Ref('ItsmConnection'), ...ERROR_RESPONSES, 409: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const created = await execute(app, request.actor, (ctx) =>
        createConnection(ctx, request.body),
      );
      void reply.code(201);
      return created;
    },
  );

  server.get(
    '/itsm/connections',
    {
      schema: {
        tags,
        summary: 'ITSM connections (secrets masked)',
        response: { 200: Type.Array(Type.Ref('ItsmConnection')), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listConnections(ctx)),
  );

  server.get(
    '/itsm/connections/:id',
    {
      schema: {
        tags,
        summary: 'One ITSM connection, by id or name (secret masked)',
        params: IdParam,
        response: { 200: Type.Ref('ItsmConnection'), ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getConnection(ctx, request.params.id)),
  );

  server.patch(
    '/itsm/connections/:id',
    {
      schema: {
        tags,
        summary: 'Change a connection: URL, credentials, settings, or switch it off',
        params: IdParam,
        body: StrictObject({
          baseUrl: Type.Optional(BaseUrl),
          auth: Type.Optional(StringEnum(['basic', 'bearer'] as const)),
          username: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          secret: Type.Optional(Secret),
          settings: Type.Optional(Settings),
          active: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Ref('ItsmConnection'), ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => updateConnection(ctx, request.params.id, request.body)),
  );

  server.get(
    '/releases/:id/itsm',
    {
      schema: {
        tags: [...tags, 'releases'],
        summary: "The release's change records in the connected ITSM tools: external id and link",
        params: IdParam,
        response: {
          200: Type.Array(Type.Ref('ItsmChange')),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => releaseChanges(ctx, request.params.id)),
  );

  server.get(
    '/itsm/backlog',
    {
      schema: {
        tags,
        summary: 'Operations not yet sent to the ITSM tools (pending, retrying or failed)',
        querystring: Type.Object(
          {
            connection: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
            status: Type.Optional(StringEnum(['pending', 'failed'] as const)),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            pending: Type.Integer(),
            failed: Type.Integer(),
            oldestCreatedAt: Nullable(Type.String()),
            operations: Type.Array(Type.Ref('ItsmOperation')),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) =>
        itsmBacklog(ctx, {
          ...(request.query.connection ? { connection: request.query.connection } : {}),
          ...(request.query.status ? { status: request.query.status } : {}),
          limit: request.query.limit,
        }),
      ),
  );

  server.post(
    '/itsm/operations/:id/retry',
    {
      schema: {
        tags,
        summary: 'Send a failed operation again (after the connection was fixed)',
        params: IdParam,
        body: StrictObject({}),
        response: {
          200: Type.Ref('ItsmOperation'),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request) => execute(app, request.actor, (ctx) => retryOperation(ctx, request.params.id)),
  );
}
