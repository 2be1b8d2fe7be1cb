import { Type } from '@sinclair/typebox';
import {
  getDowntime,
  sendDowntimeNotices,
  setDowntime,
} from '../../app/communication/downtimeNotices.js';
import { execute, query } from '../../app/context.js';
import { SetDowntimeInput } from '../../domain/downtime.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const DowntimeSchema = Type.Object({
  release: Type.String(),
  start: Type.String(),
  end: Type.String(),
  description: Type.String(),
  setBy: Type.String(),
  setAt: Type.String(),
  noticesSentAt: Nullable(Type.String()),
});

const REFUSALS = { 404: Type.Ref('Problem'), 409: Type.Ref('Problem') } as const;

export function downtimeRoutes({ server, app }: RouteDeps): void {
  const tags = ['downtime'];

  server.put(
    '/releases/:id/downtime',
    {
      schema: {
        tags,
        summary: "Set the release's expected downtime window (audited)",
        params: IdParam,
        body: SetDowntimeInput,
        response: { 200: DowntimeSchema, ...ERROR_RESPONSES, ...REFUSALS },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => setDowntime(ctx, request.params.id, request.body)),
  );

  server.get(
    '/releases/:id/downtime',
    {
      schema: {
        tags,
        summary: "The release's expected downtime",
        params: IdParam,
        response: { 200: DowntimeSchema, ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getDowntime(ctx, request.params.id)),
  );

  server.post(
    '/releases/:id/downtime/notices',
    {
      schema: {
        tags,
        summary:
          'Notify the owners of every dependent service, each with the window in its own time zone, through the outbound webhooks',
        params: IdParam,
        body: Type.Object({}, { additionalProperties: false }),
        response: {
          201: Type.Object({
            release: Type.String(),
            start: Type.String(),
            end: Type.String(),
            notices: Type.Array(
              Type.Object({
                team: Type.String(),
                timeZone: Nullable(Type.String()),
                services: Type.Array(Type.String()),
                localWindow: Type.String(),
                auditSeq: Type.Integer(),
              }),
            ),
          }),
          ...ERROR_RESPONSES,
          ...REFUSALS,
        },
      },
    },
    async (request, reply) => {
      const sent = await execute(app, request.actor, (ctx) =>
        sendDowntimeNotices(ctx, request.params.id),
      );
      void reply.code(201);
      return sent;
    },
  );
}
