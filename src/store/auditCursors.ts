/**
 * Named cursors over the audit log, for the outboxes fed from it (notifications, ITSM
 * change records): read the next batch after a cursor, then advance it only if no
 * concurrent run advanced it first. A run that loses rolls back; what it queued would
 * have been duplicates.
 */
import type { Selectable } from 'kysely';
import type { Tx } from './database.js';
import type { AuditLogTable } from './schema.js';

export async function auditEntriesAfterCursor(
  tx: Tx,
  name: string,
  batch: number,
  now: string,
): Promise<{ from: number; entries: Selectable<AuditLogTable>[] }> {
  await tx
    .insertInto('notification_cursors')
    .values({ name, last_seq: 0, updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const cursor = await tx
    .selectFrom('notification_cursors')
    .select('last_seq')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  const from = Number(cursor.last_seq);
  const entries = await tx
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', from)
    .orderBy('seq')
    .limit(batch)
    .execute();
  return { from, entries };
}

/** Moves the cursor from `from` to `to`; throws when another run moved it meanwhile. */
export async function advanceAuditCursor(
  tx: Tx,
  name: string,
  from: number,
  to: number,
  now: string,
  label: string,
): Promise<void> {
  const moved = await tx
    .updateTable('notification_cursors')
    .set({ last_seq: to, updated_at: now })
    .where('name', '=', name)
    .where('last_seq', '=', from)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1)
    throw new Error(`the ${label} cursor moved during dispatch; the next run retries`);
}
