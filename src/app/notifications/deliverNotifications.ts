/**
 * The sending half of the dispatcher: claims due deliveries, POSTs each signed body to
 * its subscriber, and records the attempt. A failure is retried after an exponential,
 * jittered wait until the attempt limit, then the delivery is `failed` and waits for a
 * person to redeliver it. The HTTP call happens outside any transaction; a claim on the
 * row keeps a second sender (another replica whose lease overlapped) away from it.
 */
import { randomUUID } from 'node:crypto';
import {
  backoffDelayMs,
  contentTypeOf,
  DELIVERY_HEADER,
  isDelivered,
  renderBody,
  SIGNATURE_HEADER,
  signature,
  TIMESTAMP_HEADER,
  type DeliverySettings,
} from '../../domain/notification/delivery.js';
import type { GatehouseEvent } from '../../domain/notification/events.js';
import { postWebhook, type WebhookAttempt } from '../../integrations/webhook-sender.js';
import { loadSubscriptions } from '../../store/notifications.js';
import { SYSTEM_ACTOR, execute, type App } from '../context.js';

/** Deliveries claimed per run, and how many are in flight at once. */
export const DELIVERY_BATCH = 50;
export const DELIVERY_CONCURRENCY = 8;

export interface DeliveryRunResult {
  attempted: number;
  succeeded: number;
  retrying: number;
  failed: number;
}

interface Claimed {
  id: string;
  subscriptionId: string;
  event: GatehouseEvent;
  attempts: number;
  roundAttempts: number;
}

async function claimDue(app: App, settings: DeliverySettings): Promise<Claimed[]> {
  return execute(app, SYSTEM_ACTOR, async (ctx) => {
    const now = ctx.now.toISOString();
    // Long enough for the attempt and its bookkeeping; a crashed sender's claim lapses.
    const until = new Date(ctx.now.getTime() + settings.attemptTimeoutMs * 2 + 5_000).toISOString();
    const due = await ctx.tx
      .selectFrom('notification_deliveries')
      .select(['id', 'subscription_id', 'event', 'attempts', 'round_attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(DELIVERY_BATCH)
      .execute();
    const claimed: Claimed[] = [];
    for (const row of due) {
      const taken = await ctx.tx
        .updateTable('notification_deliveries')
        .set({ claimed_until: until })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) continue;
      claimed.push({
        id: row.id,
        subscriptionId: row.subscription_id,
        event: JSON.parse(row.event) as GatehouseEvent,
        attempts: Number(row.attempts),
        roundAttempts: Number(row.round_attempts),
      });
    }
    return claimed;
  });
}

async function attempt(
  app: App,
  claimed: Claimed,
  settings: DeliverySettings,
): Promise<'succeeded' | 'retrying' | 'failed' | 'skipped'> {
  const [subscription] = await app.store.read((tx) =>
    loadSubscriptions(tx, { idOrName: claimed.subscriptionId }),
  );
  if (!subscription) return 'skipped'; // deleted meanwhile; its deliveries went with it
  const startedAt = app.clock();
  const body = renderBody(claimed.event, subscription.format);
  const timestamp = String(Math.floor(startedAt.getTime() / 1000));
  const result: WebhookAttempt = await postWebhook({
    url: subscription.url,
    body,
    headers: {
      'content-type': contentTypeOf(subscription.format),
      [SIGNATURE_HEADER]: signature(subscription.secret, timestamp, body),
      [TIMESTAMP_HEADER]: timestamp,
      [DELIVERY_HEADER]: claimed.id,
      // CloudEvents' id, repeated as a header so a receiver can deduplicate before parsing.
      'x-gatehouse-event-id': claimed.event.id,
    },
    timeoutMs: settings.attemptTimeoutMs,
  });
  const number = claimed.attempts + 1;
  const roundAttempts = claimed.roundAttempts + 1;
  const delivered = isDelivered(result.statusCode);
  const outcome = delivered
    ? 'succeeded'
    : roundAttempts >= settings.maxAttempts
      ? 'failed'
      : 'retrying';
  const retryAfterMs = outcome === 'retrying' ? backoffDelayMs(roundAttempts, settings) : null;
  const error =
    result.error ?? (delivered ? null : `the receiver answered HTTP ${result.statusCode}`);
  await execute(app, SYSTEM_ACTOR, async (ctx) => {
    const now = ctx.now;
    const updated = await ctx.tx
      .updateTable('notification_deliveries')
      .set({
        status: outcome === 'retrying' ? 'pending' : outcome,
        attempts: number,
        round_attempts: roundAttempts,
        next_attempt_at:
          retryAfterMs === null ? null : new Date(now.getTime() + retryAfterMs).toISOString(),
        claimed_until: null,
        last_status_code: result.statusCode,
        last_error: error,
        updated_at: now.toISOString(),
        ...(delivered ? { delivered_at: now.toISOString() } : {}),
      })
      .where('id', '=', claimed.id)
      .executeTakeFirst();
    // Deleted with its subscription while the request was out: nothing to record.
    if (Number(updated.numUpdatedRows) !== 1) return;

    await ctx.tx
      .insertInto('notification_attempts')
      .values({
        id: randomUUID(),
        delivery_id: claimed.id,
        number,
        started_at: startedAt.toISOString(),
        duration_ms: result.durationMs,
        status_code: result.statusCode,
        error,
        outcome,
        retry_after_ms: retryAfterMs,
      })
      .execute();
  });
  return outcome;
}

/** Sends what is due now; returns what happened, for the job's log and for tests. */
export async function deliverNotifications(
  app: App,
  settings: DeliverySettings,
): Promise<DeliveryRunResult> {
  const claimed = await claimDue(app, settings);
  const result: DeliveryRunResult = { attempted: 0, succeeded: 0, retrying: 0, failed: 0 };
  for (let i = 0; i < claimed.length; i += DELIVERY_CONCURRENCY) {
    const outcomes = await Promise.all(
      claimed.slice(i, i + DELIVERY_CONCURRENCY).map((c) => attempt(app, c, settings)),
    );
    for (const outcome of outcomes) {
      if (outcome === 'skipped') continue;
      result.attempted++;
      result[outcome]++;
    }
  }
  return result;
}
