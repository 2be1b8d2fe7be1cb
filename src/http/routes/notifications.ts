/** Outbound webhooks: subscriptions, the delivery log, and redelivery. */
import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import {
  DELIVERY_STATUSES,
  listDeliveries,
  redeliverNotification,
} from '../../app/notifications/deliveries.js';
import {
  createSubscription,
  deleteSubscription,
  listSubscriptions,
} from '../../app/notifications/subscriptions.js';
import { SUBSCRIPTION_FORMATS } from '../../domain/notification/delivery.js';
import { StrictObject, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Nullable, Page, PageQuery } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const SubscriptionSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    url: Type.String(),
    eventTypes: Type.Array(Type.String()),
    format: StringEnum(SUBSCRIPTION_FORMATS),
    active: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: Type.String(),
  },
  { $id: 'NotificationSubscription', description: 'A webhook; its secret is never shown' },
);

const AttemptSchema = Type.Object({
  number: Type.Integer(),
  startedAt: Type.String(),
  durationMs: Type.Integer(),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  outcome: StringEnum(['succeeded', 'retrying', 'failed'] as const),
  retryAfterMs: Nullable(Type.Integer()),
});

const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    subscription: Type.String(),
    eventId: Type.String(),
    eventType: Type.String(),
    subject: Nullable(Type.String()),
    status: StringEnum(DELIVERY_STATUSES),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Type.String()),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    createdAt: Type.String(),
    deliveredAt: Nullable(Type.String()),
    event: Type.Object({}, { additionalProperties: true, description: 'the CloudEvent' }),
    attemptLog: Type.Array(AttemptSchema),
  },
  { $id: 'NotificationDelivery' },
);

export const NOTIFICATION_SCHEMAS = [SubscriptionSchema, DeliverySchema];

export function notificationRoutes({ server, app }: RouteDeps): void {
  const tags = ['notifications'];
  const notFound = { 404: Type.Ref('Problem') };

  server.post(
    '/notifications/subscriptions',
    {
      schema: {
        tags,
        summary: 'Subscribe a webhook to events (CloudEvents JSON or a Slack message), signed',
        body: StrictObject({
          name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][\\w.-]*$' }),
          url: Type.String({ minLength: 1, maxLength: 2000 }),
          eventTypes: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
              maxItems: 50,
              description: 'globs over event types, e.g. dev.gatehouse.release.*',
            }),
          ),
          format: Type.Optional(StringEnum(SUBSCRIPTION_FORMATS, { default: 'cloudevents' })),
          secret: Type.String({
            minLength: 1,
            maxLength: 500,
            description: 'HMAC-SHA256 key for X-Gatehouse-Signature-256; never shown again',
          }),
        }),
        response: {
          201: Type.Ref('NotificationSubscription'),
          ...ERROR_RESPONSES,
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const created = await execute(app, request.actor, (ctx) =>
        createSubscription(ctx, request.body),
      );
      void reply.code(201);
      return created;
    },
  );

  server.get(
    '/notifications/subscriptions',
    {
      schema: {
        tags,
        summary: 'Every webhook subscription (without secrets)',
        response: { 200: Type.Array(Type.Ref('NotificationSubscription')), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listSubscriptions(ctx)),
  );

  server.delete(
    '/notifications/subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Remove a subscription (by id or name) and its delivery log',
        params: IdParam,
        response: { 204: Type.Null(), ...ERROR_RESPONSES, ...notFound },
      },
    },
    async (request, reply) => {
      await execute(app, request.actor, (ctx) => deleteSubscription(ctx, request.params.id));
      void reply.code(204);
      return null;
    },
  );

  server.get(
    '/notifications/deliveries',
    {
      schema: {
        tags,
        summary: 'The delivery log, newest first: every attempt with its status code or error',
        querystring: Type.Object({
          status: Type.Optional(StringEnum(DELIVERY_STATUSES)),
          subscription: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          ...PageQuery,
        }),
        response: { 200: Page(Type.Ref('NotificationDelivery')), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listDeliveries(ctx, request.query)),
  );

  server.post(
    '/notifications/deliveries/:id/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivery again now, with a fresh allowance of attempts',
        params: IdParam,
        body: StrictObject({
          reason: Type.Optional(
            Type.String({ maxLength: 2000, description: 'why, for the audit log' }),
          ),
        }),
        response: {
          202: Type.Object({
            id: Type.String(),
            status: Type.Literal('pending'),
            nextAttemptAt: Type.String(),
          }),
          ...ERROR_RESPONSES,
          ...notFound,
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const queued = await execute(app, request.actor, (ctx) =>
        redeliverNotification(ctx, request.params.id, request.body.reason),
      );
      void reply.code(202);
      return queued;
    },
  );
}
