import { Type } from '@sinclair/typebox';
import { listConflicts } from '../../app/calendar/conflicts.js';
import { calendarFeed } from '../../app/calendar/feed.js';
import { checkFreeze } from '../../app/calendar/freezeCheck.js';
import {
  approveFreezeException,
  readFreezeExceptions,
} from '../../app/calendar/freezeExceptions.js';
import {
  createWindow,
  deleteWindow,
  readOccurrences,
  readWindows,
} from '../../app/calendar/windows.js';
import { execute, query } from '../../app/context.js';
import { WINDOW_KINDS, WindowInput } from '../../domain/calendar/window.js';
import { Instant, Slug, StrictObject, StringEnum } from '../../domain/schema-kit.js';
import {
  ConflictSchema,
  FreezeDecisionSchema,
  FreezeExceptionSchema,
  WindowSchema,
} from '../schemas/calendar.js';
import { ERROR_RESPONSES, NameParam } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const ReleaseKey = Type.String({ minLength: 1, maxLength: 100, description: 'REL-42 or an id' });

export function calendarRoutes({ server, app }: RouteDeps): void {
  const tags = ['calendar'];

  server.post(
    '/calendar/windows',
    {
      schema: {
        tags,
        summary: 'Define a release, freeze or maintenance window, one-off or recurring (RRULE)',
        body: WindowInput,
        response: { 201: WindowSchema, ...ERROR_RESPONSES, 409: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const window = await execute(app, request.actor, (ctx) => createWindow(ctx, request.body));
      void reply.code(201);
      return window;
    },
  );

  server.get(
    '/calendar/windows',
    {
      schema: {
        tags,
        summary: 'Every window, optionally of one kind',
        querystring: Type.Object(
          { kind: Type.Optional(StringEnum(WINDOW_KINDS)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(WindowSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      items: await query(app, request.actor, (ctx) =>
        readWindows(ctx, request.query.kind ? { kind: request.query.kind } : {}),
      ),
    }),
  );

  server.get(
    '/calendar/windows/:name/occurrences',
    {
      schema: {
        tags,
        summary: 'When a window is in force between two instants (UTC), at most a year',
        params: NameParam,
        querystring: StrictObject({ from: Instant, to: Instant }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => ({
      items: await query(app, request.actor, (ctx) =>
        readOccurrences(ctx, request.params.name, request.query),
      ),
    }),
  );

  server.delete(
    '/calendar/windows/:name',
    {
      schema: {
        tags,
        summary: 'Remove a window (not a freeze that has emergency exceptions)',
        params: NameParam,
        response: {
          204: Type.Null(),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      await execute(app, request.actor, (ctx) => deleteWindow(ctx, request.params.name));
      void reply.code(204);
      return null;
    },
  );

  server.get(
    '/calendar/check',
    {
      schema: {
        tags,
        summary:
          'May this service be deployed into this environment at this instant? If not, which freeze forbids it and until when',
        querystring: StrictObject({
          service: Slug,
          environment: Slug,
          at: Type.Optional(Instant),
          region: Type.Optional(Slug),
          release: Type.Optional(ReleaseKey),
        }),
        response: { 200: FreezeDecisionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => checkFreeze(ctx, request.query)),
  );

  server.post(
    '/calendar/freeze-exceptions',
    {
      schema: {
        tags,
        summary: 'Approve an emergency release to deploy during a freeze (audited)',
        body: StrictObject({
          window: Slug,
          release: ReleaseKey,
          reason: Type.String({ minLength: 1, maxLength: 20000 }),
        }),
        response: { 201: FreezeExceptionSchema, ...ERROR_RESPONSES, 409: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const exception = await execute(app, request.actor, (ctx) =>
        approveFreezeException(ctx, request.body),
      );
      void reply.code(201);
      return exception;
    },
  );

  server.get(
    '/calendar/freeze-exceptions',
    {
      schema: {
        tags,
        summary: 'Emergency exceptions to freezes, optionally for one release',
        querystring: StrictObject({ release: Type.Optional(ReleaseKey) }),
        response: {
          200: Type.Object({ items: Type.Array(FreezeExceptionSchema) }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => ({
      items: await query(app, request.actor, (ctx) => readFreezeExceptions(ctx, request.query)),
    }),
  );

  server.get(
    '/calendar/conflicts',
    {
      schema: {
        tags,
        summary:
          'Conflicts among planned releases: same service, shared environment, dependent services, over capacity, inside a freeze',
        querystring: StrictObject({
          from: Type.Optional(Instant),
          to: Type.Optional(Instant),
          release: Type.Optional(ReleaseKey),
        }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            releases: Type.Integer({ description: 'planned releases considered' }),
            conflicts: Type.Array(ConflictSchema),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listConflicts(ctx, request.query)),
  );

  const FeedQuery = StrictObject({ from: Type.Optional(Instant), to: Type.Optional(Instant) });
  const ICS = 'text/calendar; charset=utf-8';

  server.get(
    '/calendar.ics',
    {
      schema: {
        tags,
        summary:
          'The organisation feed (RFC 5545): freezes, windows and planned releases, 30 days back to 180 ahead by default',
        produces: ['text/calendar'],
        querystring: FeedQuery,
        response: { ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = await query(app, request.actor, (ctx) => calendarFeed(ctx, request.query));
      return reply.type(ICS).send(body);
    },
  );

  server.get(
    '/teams/:name/calendar.ics',
    {
      schema: {
        tags,
        summary: "One team's feed: its releases and the windows covering its services",
        produces: ['text/calendar'],
        params: NameParam,
        querystring: FeedQuery,
        response: { ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const body = await query(app, request.actor, (ctx) =>
        calendarFeed(ctx, { ...request.query, team: request.params.name }),
      );
      return reply.type(ICS).send(body);
    },
  );
}
