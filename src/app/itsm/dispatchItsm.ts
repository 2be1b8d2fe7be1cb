/**
 * The outbox half of the ITSM sync: reads audit entries after its cursor and queues, per
 * active connection, the operation each means for a release's change (open, note, close).
 * The release never waits for the ITSM: this runs later, as a scheduled job, and
 * `(connection, audit entry)` is unique, so a repeated run queues nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { planItsmOperation } from '../../domain/itsm.js';
import { toEvent } from '../../domain/notification/events.js';
import { advanceAuditCursor, auditEntriesAfterCursor } from '../../store/auditCursors.js';
import { SYSTEM_ACTOR, execute, type App } from '../context.js';

export const ITSM_CURSOR = 'itsm';
const BATCH = 500;

export interface ItsmPayload {
  note: string;
  outcome?: string;
  title?: string;
  description?: string;
}

export async function dispatchItsm(app: App): Promise<{ entriesRead: number; queued: number }> {
  return execute(app, SYSTEM_ACTOR, async (ctx) => {
    const now = ctx.now.toISOString();
    // The cursor lives beside the notification dispatcher's, under its own name.
    const { from, entries } = await auditEntriesAfterCursor(ctx.tx, ITSM_CURSOR, BATCH, now);
    if (entries.length === 0) return { entriesRead: 0, queued: 0 };
    const connections = await ctx.tx
      .selectFrom('itsm_connections')
      .select(['id', 'after_seq'])
      .where('active', '=', 1)
      .execute();
    let queued = 0;
    for (const row of entries) {
      const seq = Number(row.seq);
      const entry = {
        seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        before: row.before === null ? null : (JSON.parse(row.before) as unknown),
        after: row.after === null ? null : (JSON.parse(row.after) as unknown),
        hash: row.hash,
      };
      const event = toEvent(entry, 'urn:gatehouse');
      if (!event) continue;
      const plan = planItsmOperation(entry, event.subject, event.data.summary);
      if (!plan) continue;
      let payload: ItsmPayload = {
        note: plan.note,
        ...(plan.outcome ? { outcome: plan.outcome } : {}),
      };
      if (plan.kind === 'open') {
        const release = await ctx.tx
          .selectFrom('releases')
          .select([
            'title',
            'version',
            'classification',
            'justification',
            'rollback_plan',
            'window_start',
            'window_end',
          ])
          .where('key', '=', plan.releaseKey)
          .executeTakeFirst();
        if (!release) continue;
        payload = {
          ...payload,
          title: release.title,
          description: [
            `Gatehouse release ${plan.releaseKey} (${release.classification}), version ${release.version}.`,
            `Justification: ${release.justification}`,
            `Rollback plan: ${release.rollback_plan}`,
            release.window_start
              ? `Planned window: ${release.window_start} to ${release.window_end ?? '?'}`
              : '',
          ]
            .filter(Boolean)
            .join('\n'),
        };
      }
      for (const connection of connections) {
        if (seq <= Number(connection.after_seq)) continue;
        if (plan.kind !== 'open') {
          // Only releases whose change exists or is being opened are followed.
          const followed =
            (await ctx.tx
              .selectFrom('itsm_changes')
              .select('release_key')
              .where('connection_id', '=', connection.id)
              .where('release_key', '=', plan.releaseKey)
              .where('state', '=', 'open')
              .executeTakeFirst()) ??
            (await ctx.tx
              .selectFrom('itsm_operations')
              .select('release_key')
              .where('connection_id', '=', connection.id)
              .where('release_key', '=', plan.releaseKey)
              .where('kind', '=', 'open')
              .where('status', '!=', 'done')
              .executeTakeFirst());
          if (!followed) continue;
        }
        const inserted = await ctx.tx
          .insertInto('itsm_operations')
          .values({
            id: randomUUID(),
            connection_id: connection.id,
            release_key: plan.releaseKey,
            audit_seq: seq,
            kind: plan.kind,
            payload: JSON.stringify(payload),
            status: 'pending',
            attempts: 0,
            next_attempt_at: now,
            claimed_until: null,
            last_status_code: null,
            last_error: null,
            created_at: now,
            updated_at: now,
            done_at: null,
          })
          .onConflict((oc) => oc.columns(['connection_id', 'audit_seq']).doNothing())
          .executeTakeFirst();
        queued += Number(inserted.numInsertedOrUpdatedRows ?? 0);
      }
    }
    const last = Number(entries.at(-1)!.seq);
    await advanceAuditCursor(ctx.tx, ITSM_CURSOR, from, last, now, 'ITSM');
    return { entriesRead: entries.length, queued };
  });
}
