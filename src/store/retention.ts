/**
 * The records each retention rule governs, as one shape: an id, the instant the period
 * is counted from, and the content a purge fingerprints. Finding candidates is one
 * indexed range query per type; the exact end date is checked by the caller.
 */
import type { RecordType } from '../domain/retention.js';
import type { Tx } from './database.js';

export interface RetainedRecord {
  id: string;
  /** The instant the retention period counts from. */
  from: string;
  /** What the record held, without large bodies (evidence keeps its own SHA-256). */
  content: Record<string, unknown>;
}

/** Records of a type whose period started before `before` (and that are not yet purged). */
export async function retainedRecords(
  tx: Tx,
  type: RecordType,
  options: { before?: string; id?: string; limit?: number },
): Promise<RetainedRecord[]> {
  const limit = options.limit ?? 1000;
  switch (type) {
    case 'deployment-logs': {
      let q = tx
        .selectFrom('deployments')
        .select([
          'id',
          'release_id',
          'service_id',
          'environment_id',
          'region',
          'status',
          'started_at',
          'finished_at',
          'notes',
          'log_purged_at',
        ])
        .orderBy('started_at')
        .limit(limit);
      if (options.id) q = q.where('id', '=', options.id);
      if (options.before)
        q = q.where('log_purged_at', 'is', null).where('started_at', '<', options.before);
      const rows = await q.execute();
      return rows.map(({ log_purged_at, ...r }) => ({
        id: r.id,
        from: r.finished_at ?? r.started_at,
        content: { ...r, purgedAt: log_purged_at },
      }));
    }
    case 'approvals': {
      let q = tx.selectFrom('approvals').selectAll().orderBy('created_at').limit(limit);
      if (options.id) q = q.where('id', '=', options.id);
      if (options.before) q = q.where('created_at', '<', options.before);
      const rows = await q.execute();
      return rows.map((r) => ({ id: r.id, from: r.created_at, content: { ...r } }));
    }
    case 'evidence-files': {
      let q = tx
        .selectFrom('evidence')
        .select([
          'id',
          'release_id',
          'type',
          'file_name',
          'sha256',
          'size',
          'uploaded_by',
          'uploaded_at',
        ])
        .orderBy('uploaded_at')
        .limit(limit);
      if (options.id) q = q.where('id', '=', options.id);
      if (options.before) q = q.where('uploaded_at', '<', options.before);
      const rows = await q.execute();
      return rows.map((r) => ({ id: r.id, from: r.uploaded_at, content: { ...r } }));
    }
    case 'notification-deliveries': {
      let q = tx
        .selectFrom('notification_deliveries')
        .selectAll()
        .orderBy('created_at')
        .limit(limit);
      if (options.id) q = q.where('id', '=', options.id);
      if (options.before) q = q.where('created_at', '<', options.before);
      const rows = await q.execute();
      return rows.map((r) => ({ id: r.id, from: r.created_at, content: { ...r } }));
    }
    case 'ingestion-dead-letters': {
      let q = tx
        .selectFrom('inbound_events')
        .selectAll()
        .where('outcome', '=', 'dead-letter')
        .orderBy('received_at')
        .limit(limit);
      if (options.id) q = q.where('id', '=', options.id);
      if (options.before) q = q.where('received_at', '<', options.before);
      const rows = await q.execute();
      return rows.map((r) => ({ id: r.id, from: r.received_at, content: { ...r } }));
    }
  }
}

/** Removes expired records: deletes the rows, or blanks a deployment's log. */
export async function purgeRecords(
  tx: Tx,
  type: RecordType,
  ids: readonly string[],
  now: string,
): Promise<void> {
  if (ids.length === 0) return;
  // Chunked so a long list stays under every engine's bound-parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    switch (type) {
      case 'deployment-logs':
        await tx
          .updateTable('deployments')
          .set({ notes: '', log_purged_at: now, updated_at: now })
          .where('id', 'in', chunk)
          .execute();
        break;
      case 'approvals':
        await tx.deleteFrom('approvals').where('id', 'in', chunk).execute();
        break;
      case 'evidence-files':
        await tx.deleteFrom('evidence').where('id', 'in', chunk).execute();
        break;
      case 'notification-deliveries':
        await tx.deleteFrom('notification_attempts').where('delivery_id', 'in', chunk).execute();
        await tx.deleteFrom('notification_deliveries').where('id', 'in', chunk).execute();
        break;
      case 'ingestion-dead-letters':
        await tx
          .deleteFrom('inbound_events')
          .where('outcome', '=', 'dead-letter')
          .where('id', 'in', chunk)
          .execute();
        break;
    }
  }
}
