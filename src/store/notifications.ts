/** Rows of the notification tables in, plain shapes out. */
import type { SubscriptionFormat } from '../domain/notification/delivery.js';
import type { Tx } from './database.js';
import type { NotificationSubscriptionTable } from './schema.js';

export interface Subscription {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  format: SubscriptionFormat;
  active: boolean;
  createdBy: string;
  createdAt: string;
}

/** The subscription with what only the sender may see. */
export interface SubscriptionWithSecret extends Subscription {
  secret: string;
  afterSeq: number;
}

function toSubscription(
  row: NotificationSubscriptionTable & { created_by_name: string },
): SubscriptionWithSecret {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    format: row.format as SubscriptionFormat,
    active: row.active === 1,
    createdBy: row.created_by_name,
    createdAt: row.created_at,
    secret: row.secret,
    afterSeq: Number(row.after_seq),
  };
}

/** Strips the secret: the only shape that leaves through the API. */
export function publicSubscription(s: SubscriptionWithSecret): Subscription {
  return {
    id: s.id,
    name: s.name,
    url: s.url,
    eventTypes: s.eventTypes,
    format: s.format,
    active: s.active,
    createdBy: s.createdBy,
    createdAt: s.createdAt,
  };
}

export async function loadSubscriptions(
  tx: Tx,
  filter: { idOrName?: string; activeOnly?: boolean } = {},
): Promise<SubscriptionWithSecret[]> {
  let query = tx
    .selectFrom('notification_subscriptions')
    .innerJoin('users', 'users.id', 'notification_subscriptions.created_by')
    .selectAll('notification_subscriptions')
    .select('users.name as created_by_name');
  if (filter.idOrName)
    query = query.where((eb) =>
      eb.or([
        eb('notification_subscriptions.id', '=', filter.idOrName!),
        eb('notification_subscriptions.name', '=', filter.idOrName!),
      ]),
    );
  if (filter.activeOnly) query = query.where('notification_subscriptions.active', '=', 1);
  const rows = await query.orderBy('notification_subscriptions.name').execute();
  return rows.map(toSubscription);
}
