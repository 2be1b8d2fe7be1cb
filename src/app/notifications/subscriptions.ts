import { randomUUID } from 'node:crypto';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import type { SubscriptionFormat } from '../../domain/notification/delivery.js';
import { isUniqueViolation } from '../../store/database.js';
import {
  loadSubscriptions,
  publicSubscription,
  type Subscription,
} from '../../store/notifications.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isoNow, type Ctx } from '../context.js';

export interface CreateSubscriptionInput {
  name: string;
  url: string;
  eventTypes?: string[];
  format?: SubscriptionFormat;
  secret: string;
}

export const MIN_SECRET_LENGTH = 16;

function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('/url', 'is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid('/url', `must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  // Credentials in the URL would be shown to every reader of the subscription list.
  if (url.username || url.password)
    throw invalid('/url', 'must not carry credentials; the secret signs each delivery');
  return url.toString();
}

/**
 * Subscribes a webhook to the events whose type matches one of its globs. It receives
 * what happens from now on, not the history before it.
 */
export async function createSubscription(
  ctx: Ctx,
  input: CreateSubscriptionInput,
): Promise<Subscription> {
  authorize(ctx.actor, 'notification:manage');
  const url = checkUrl(input.url);
  if (input.secret.trim().length < MIN_SECRET_LENGTH)
    throw invalid('/secret', `must be at least ${MIN_SECRET_LENGTH} characters`);
  const eventTypes = input.eventTypes?.length ? input.eventTypes : ['dev.gatehouse.*'];
  eventTypes.forEach((glob, i) => {
    if (!glob.trim()) throw invalid(`/eventTypes/${i}`, 'must not be empty');
  });
  const id = randomUUID();
  const now = isoNow(ctx);
  const created = {
    id,
    name: input.name,
    url,
    eventTypes,
    format: input.format ?? 'cloudevents',
  };
  // The audit entry first: its sequence number is where this subscription starts.
  const { seq } = await recordAudit(ctx, {
    action: 'notification.subscription-created',
    subjectType: 'notification-subscription',
    subjectId: id,
    after: created,
  });
  try {
    await ctx.tx
      .insertInto('notification_subscriptions')
      .values({
        id,
        name: input.name,
        url,
        event_types: JSON.stringify(eventTypes),
        format: created.format,
        secret: input.secret,
        active: 1,
        after_seq: seq,
        created_by: ctx.actor.userId,
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('subscription-exists', `a subscription named '${input.name}' exists`);
    throw error;
  }
  return { ...created, active: true, createdBy: ctx.actor.name, createdAt: now };
}

export async function listSubscriptions(ctx: Ctx): Promise<Subscription[]> {
  authorize(ctx.actor, 'notification:manage');
  return (await loadSubscriptions(ctx.tx)).map(publicSubscription);
}

/** Removes a subscription and its delivery log; nothing more is sent to it. */
export async function deleteSubscription(ctx: Ctx, idOrName: string): Promise<void> {
  authorize(ctx.actor, 'notification:manage');
  const [found] = await loadSubscriptions(ctx.tx, { idOrName });
  if (!found) throw notFound('subscription', idOrName);
  await ctx.tx.deleteFrom('notification_subscriptions').where('id', '=', found.id).execute();
  await recordAudit(ctx, {
    action: 'notification.subscription-deleted',
    subjectType: 'notification-subscription',
    subjectId: found.id,
    before: publicSubscription(found),
  });
}
