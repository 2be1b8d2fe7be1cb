/**
 * The fan-out half of the dispatcher: reads audit entries after the persisted cursor,
 * turns each one a person cares about into an event, and queues one delivery per
 * subscription that wants it. Runs as a scheduled job (one replica at a time); the
 * unique (subscription, event) pair makes a second run over the same entries harmless.
 */
import { randomUUID } from 'node:crypto';
import { wantsEventType } from '../../domain/notification/delivery.js';
import { toEvent } from '../../domain/notification/events.js';
import { loadSubscriptions } from '../../store/notifications.js';
import { advanceAuditCursor, auditEntriesAfterCursor } from '../../store/auditCursors.js';
import { SYSTEM_ACTOR, execute, type App } from '../context.js';

export const AUDIT_CURSOR = 'audit';
/** Entries read per transaction; a backlog drains over several runs. */
export const DISPATCH_BATCH = 500;

export interface DispatchResult {
  entriesRead: number;
  deliveriesQueued: number;
  cursor: number;
}

export async function dispatchNotifications(
  app: App,
  options: { source: string },
): Promise<DispatchResult> {
  return execute(app, SYSTEM_ACTOR, async (ctx) => {
    const now = ctx.now.toISOString();
    const { from, entries } = await auditEntriesAfterCursor(
      ctx.tx,
      AUDIT_CURSOR,
      DISPATCH_BATCH,
      now,
    );
    if (entries.length === 0) return { entriesRead: 0, deliveriesQueued: 0, cursor: from };
    const subscriptions = await loadSubscriptions(ctx.tx, { activeOnly: true });
    let queued = 0;
    for (const row of entries) {
      const seq = Number(row.seq);
      const event = toEvent(
        {
          seq,
          at: row.at,
          actor: row.actor,
          action: row.action,
          subjectType: row.subject_type,
          subjectId: row.subject_id,
          before: row.before === null ? null : (JSON.parse(row.before) as unknown),
          after: row.after === null ? null : (JSON.parse(row.after) as unknown),
          hash: row.hash,
        },
        options.source,
      );
      if (!event) continue;
      for (const subscription of subscriptions) {
        if (seq <= subscription.afterSeq) continue;
        if (!wantsEventType(event.type, subscription.eventTypes)) continue;
        const inserted = await ctx.tx
          .insertInto('notification_deliveries')
          .values({
            id: randomUUID(),
            subscription_id: subscription.id,
            event_id: event.id,
            event_type: event.type,
            subject: event.subject ?? null,
            event: JSON.stringify(event),
            status: 'pending',
            attempts: 0,
            round_attempts: 0,
            next_attempt_at: now,
            claimed_until: null,
            last_status_code: null,
            last_error: null,
            created_at: now,
            updated_at: now,
            delivered_at: null,
          })
          .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
          .executeTakeFirst();
        queued += Number(inserted.numInsertedOrUpdatedRows ?? 0);
      }
    }
    const last = Number(entries.at(-1)!.seq);
    // Conditional on the cursor read: a concurrent run that got here first wins, this
    // one rolls back (its deliveries would have been duplicates anyway).
    await advanceAuditCursor(ctx.tx, AUDIT_CURSOR, from, last, now, 'notification');
    return { entriesRead: entries.length, deliveriesQueued: queued, cursor: last };
  });
}
