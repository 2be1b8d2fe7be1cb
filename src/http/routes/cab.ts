/** CAB meetings, their self-building agendas, decisions, minutes; Go / No-Go checkpoints. */
import { Type } from '@sinclair/typebox';
import { buildAgenda } from '../../app/cab/agenda.js';
import { executeAudited } from '../../app/cab/auditRefusal.js';
import { decideAgendaItem, releaseDecisions } from '../../app/cab/decideAgendaItem.js';
import { listGoNoGo, recordGoNoGo } from '../../app/cab/goNoGo.js';
import { markConditionMet } from '../../app/cab/markConditionMet.js';
import { addMember, createMeeting, readMeeting, readMeetings } from '../../app/cab/meetings.js';
import { meetingMinutes } from '../../app/cab/minutes.js';
import { execute, query } from '../../app/context.js';
import { CabDecisionInput } from '../../domain/cab/decision.js';
import { GoNoGoInput } from '../../domain/cab/go-no-go.js';
import { CabMeetingInput } from '../../domain/cab/meeting.js';
import { Slug, StrictObject } from '../../domain/schema-kit.js';
import {
  AgendaSchema,
  CabDecisionSchema,
  CabMeetingSchema,
  GoNoGoSchema,
  OccurrenceSchema,
} from '../schemas/cab.js';
import { ERROR_RESPONSES, IdParam, NameParam } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const problem = Type.Ref('Problem');
const AtQuery = StrictObject({
  at: Type.Optional(
    Type.String({ format: 'date-time', description: 'the sitting’s start; absent: the next one' }),
  ),
});

export function cabRoutes({ server, app }: RouteDeps): void {
  const tags = ['cab'];

  server.post(
    '/cab/meetings',
    {
      schema: {
        tags,
        summary:
          'Schedule a CAB meeting, one-off or recurring (RRULE in an IANA zone), with members',
        body: CabMeetingInput,
        response: { 201: CabMeetingSchema, ...ERROR_RESPONSES, 409: problem },
      },
    },
    async (request, reply) => {
      const meeting = await execute(app, request.actor, (ctx) => createMeeting(ctx, request.body));
      void reply.code(201);
      return meeting;
    },
  );

  server.get(
    '/cab/meetings',
    {
      schema: {
        tags,
        summary: 'Every CAB meeting',
        response: { 200: Type.Object({ items: Type.Array(CabMeetingSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ items: await query(app, request.actor, (ctx) => readMeetings(ctx)) }),
  );

  server.get(
    '/cab/meetings/:name',
    {
      schema: {
        tags,
        summary: 'A CAB meeting with its members and next five sittings',
        params: NameParam,
        response: {
          200: Type.Intersect([
            CabMeetingSchema,
            Type.Object({ upcoming: Type.Array(OccurrenceSchema) }),
          ]),
          ...ERROR_RESPONSES,
          404: problem,
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => readMeeting(ctx, request.params.name)),
  );

  server.post(
    '/cab/meetings/:name/members',
    {
      schema: {
        tags,
        summary: 'Add a member to a CAB meeting',
        params: NameParam,
        body: StrictObject({ user: Slug }),
        response: { 200: CabMeetingSchema, ...ERROR_RESPONSES, 404: problem, 409: problem },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => addMember(ctx, request.params.name, request.body.user)),
  );

  server.get(
    '/cab/meetings/:name/agenda',
    {
      schema: {
        tags,
        summary:
          'The agenda of a sitting: releases needing a CAB with a window before the next sitting, by risk, with evaluation criteria and evidence links',
        params: NameParam,
        querystring: AtQuery,
        response: { 200: AgendaSchema, ...ERROR_RESPONSES, 404: problem, 409: problem },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => buildAgenda(ctx, request.params.name, request.query.at)),
  );

  server.get(
    '/cab/meetings/:name/minutes.md',
    {
      schema: {
        tags,
        summary: 'The minutes of a sitting as Markdown',
        produces: ['text/markdown'],
        params: NameParam,
        querystring: AtQuery,
        response: { ...ERROR_RESPONSES, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const body = await query(app, request.actor, (ctx) =>
        meetingMinutes(ctx, request.params.name, request.query.at),
      );
      return reply.type('text/markdown; charset=utf-8').send(body);
    },
  );

  server.post(
    '/cab/meetings/:name/decisions',
    {
      schema: {
        tags,
        summary:
          'Decide an agenda item: Go, No-Go (the release moves to No-Go) or Conditional Go with conditions; refusals are audited',
        params: NameParam,
        body: CabDecisionInput,
        response: { 201: CabDecisionSchema, ...ERROR_RESPONSES, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const decision = await executeAudited(
        app,
        request.actor,
        {
          action: 'cab.decision',
          subjectType: 'release',
          subjectId: request.body.release,
          input: { meeting: request.params.name, ...request.body },
        },
        (ctx) => decideAgendaItem(ctx, request.params.name, request.body),
      );
      void reply.code(201);
      return decision;
    },
  );

  server.post(
    '/cab/decisions/:id/conditions/:number/met',
    {
      schema: {
        tags,
        summary: 'Mark one condition of a Conditional Go met; refusals are audited',
        params: Type.Object({
          id: IdParam.properties.id,
          number: Type.Integer({ minimum: 1, maximum: 1000 }),
        }),
        body: StrictObject({ note: Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: { 200: CabDecisionSchema, ...ERROR_RESPONSES, 404: problem, 409: problem },
      },
    },
    async (request) =>
      executeAudited(
        app,
        request.actor,
        {
          action: 'cab.condition.met',
          subjectType: 'cab-decision',
          subjectId: request.params.id,
          input: { number: request.params.number, note: request.body.note ?? null },
        },
        (ctx) => markConditionMet(ctx, request.params.id, request.params.number, request.body.note),
      ),
  );

  server.get(
    '/releases/:id/cab-decisions',
    {
      schema: {
        tags,
        summary: 'Every CAB decision on a release, oldest first; the gate reads the last',
        params: IdParam,
        response: { 200: Type.Array(CabDecisionSchema), ...ERROR_RESPONSES, 404: problem },
      },
    },
    async (request) => query(app, request.actor, (ctx) => releaseDecisions(ctx, request.params.id)),
  );

  server.post(
    '/releases/:id/go-no-go',
    {
      schema: {
        tags,
        summary:
          'Record the Go / No-Go checkpoint for an environment: participants, the gate verdict as it stands, the decision and rationale; refusals are audited',
        params: IdParam,
        body: GoNoGoInput,
        response: { 201: GoNoGoSchema, ...ERROR_RESPONSES, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const checkpoint = await executeAudited(
        app,
        request.actor,
        {
          action: 'go-no-go',
          subjectType: 'release',
          subjectId: request.params.id,
          input: request.body,
        },
        (ctx) => recordGoNoGo(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return checkpoint;
    },
  );

  server.get(
    '/releases/:id/go-no-go',
    {
      schema: {
        tags,
        summary: "A release's Go / No-Go checkpoints, oldest first, with their stored readiness",
        params: IdParam,
        response: { 200: Type.Array(GoNoGoSchema), ...ERROR_RESPONSES, 404: problem },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listGoNoGo(ctx, request.params.id)),
  );
}
