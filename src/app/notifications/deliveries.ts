import { conflict, notFound } from '../../domain/errors.js';
import type { GatehouseEvent } from '../../domain/notification/events.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isoNow, type Ctx } from '../context.js';
import { decodeCursor, encodeCursor, type Page } from '../pagination.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttemptView {
  number: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  outcome: 'succeeded' | 'retrying' | 'failed';
  retryAfterMs: number | null;
}

export interface DeliveryView {
  id: string;
  subscription: string;
  eventId: string;
  eventType: string;
  subject: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  event: GatehouseEvent;
  attemptLog: DeliveryAttemptView[];
}

/** The delivery log, newest first, each delivery with every attempt. */
export async function listDeliveries(
  ctx: Ctx,
  filter: { status?: DeliveryStatus; subscription?: string; limit: number; cursor?: string },
): Promise<Page<DeliveryView>> {
  authorize(ctx.actor, 'notification:manage');
  let query = ctx.tx
    .selectFrom('notification_deliveries as d')
    .innerJoin('notification_subscriptions as s', 's.id', 'd.subscription_id')
    .selectAll('d')
    .select('s.name as subscription_name');
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.subscription)
    query = query.where((eb) =>
      eb.or([eb('s.name', '=', filter.subscription!), eb('s.id', '=', filter.subscription!)]),
    );
  if (filter.cursor) {
    const [createdAt, id] = decodeCursor(filter.cursor, 2) as [string, string];
    query = query.where((eb) =>
      eb.or([
        eb('d.created_at', '<', createdAt),
        eb.and([eb('d.created_at', '=', createdAt), eb('d.id', '<', id)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const attempts = page.length
    ? await ctx.tx
        .selectFrom('notification_attempts')
        .selectAll()
        .where(
          'delivery_id',
          'in',
          page.map((r) => r.id),
        )
        .orderBy('number')
        .execute()
    : [];
  const items: DeliveryView[] = page.map((r) => ({
    id: r.id,
    subscription: r.subscription_name,
    eventId: r.event_id,
    eventType: r.event_type,
    subject: r.subject,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    event: JSON.parse(r.event) as GatehouseEvent,
    attemptLog: attempts
      .filter((a) => a.delivery_id === r.id)
      .map((a) => ({
        number: Number(a.number),
        startedAt: a.started_at,
        durationMs: Number(a.duration_ms),
        statusCode: a.status_code === null ? null : Number(a.status_code),
        error: a.error,
        outcome: a.outcome as DeliveryAttemptView['outcome'],
        retryAfterMs: a.retry_after_ms === null ? null : Number(a.retry_after_ms),
      })),
  }));
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > filter.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}

/**
 * Queues a delivery again, now, with a fresh allowance of attempts: after a receiver
 * was fixed, or when it lost what it had acknowledged. The event (and its id) is the
 * same, so a receiver that already has it can recognise it.
 */
export async function redeliverNotification(
  ctx: Ctx,
  deliveryId: string,
  reason?: string,
): Promise<{ id: string; status: 'pending'; nextAttemptAt: string }> {
  authorize(ctx.actor, 'notification:manage');
  const row = await ctx.tx
    .selectFrom('notification_deliveries')
    .select(['id', 'status', 'event_id', 'subscription_id'])
    .where('id', '=', deliveryId)
    .executeTakeFirst();
  if (!row) throw notFound('delivery', deliveryId);
  if (row.status === 'pending')
    throw conflict('delivery-pending', `delivery ${deliveryId} is already queued; wait for it`);
  const now = isoNow(ctx);
  const moved = await ctx.tx
    .updateTable('notification_deliveries')
    .set({
      status: 'pending',
      round_attempts: 0,
      next_attempt_at: now,
      claimed_until: null,
      updated_at: now,
    })
    .where('id', '=', deliveryId)
    .where('status', '=', row.status)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1)
    throw conflict('delivery-changed', `delivery ${deliveryId} changed meanwhile; try again`);
  await recordAudit(ctx, {
    action: 'notification.redelivery-requested',
    subjectType: 'notification-delivery',
    subjectId: deliveryId,
    before: { status: row.status },
    after: {
      status: 'pending',
      eventId: row.event_id,
      subscriptionId: row.subscription_id,
      reason: reason ?? null,
    },
  });
  return { id: deliveryId, status: 'pending', nextAttemptAt: now };
}
