/**
 * What the ITSM sync has done and still owes: a release's change records (with their
 * external ids and links), the backlog of operations not yet done, and the retry of a
 * failed one after its cause was fixed.
 */
import { conflict, notFound } from '../../domain/errors.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface ReleaseChange {
  connection: string;
  kind: string;
  externalId: string;
  number: string;
  url: string;
  state: string;
  outcome: string | null;
  openedAt: string;
  syncedAt: string;
  /** Operations for this change not yet sent (pending or failed). */
  pendingOperations: number;
}

export interface BacklogOperation {
  id: string;
  connection: string;
  release: string;
  kind: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
}

export interface Backlog {
  pending: number;
  failed: number;
  oldestCreatedAt: string | null;
  operations: BacklogOperation[];
}

export async function releaseChanges(ctx: Ctx, releaseKey: string): Promise<ReleaseChange[]> {
  authorize(ctx.actor, 'release:read');
  const release = await ctx.tx
    .selectFrom('releases')
    .select('key')
    .where((eb) => eb.or([eb('key', '=', releaseKey), eb('id', '=', releaseKey)]))
    .executeTakeFirst();
  if (!release) throw notFound('release', releaseKey);
  const rows = await ctx.tx
    .selectFrom('itsm_changes as ch')
    .innerJoin('itsm_connections as c', 'c.id', 'ch.connection_id')
    .select([
      'c.name',
      'c.kind',
      'ch.connection_id',
      'ch.external_id',
      'ch.number',
      'ch.url',
      'ch.state',
      'ch.outcome',
      'ch.opened_at',
      'ch.synced_at',
    ])
    .where('ch.release_key', '=', release.key)
    .orderBy('c.name')
    .execute();
  const owed = await ctx.tx
    .selectFrom('itsm_operations')
    .select(['connection_id', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('release_key', '=', release.key)
    .where('status', '!=', 'done')
    .groupBy('connection_id')
    .execute();
  return rows.map((r) => ({
    connection: r.name,
    kind: r.kind,
    externalId: r.external_id,
    number: r.number,
    url: r.url,
    state: r.state,
    outcome: r.outcome,
    openedAt: r.opened_at,
    syncedAt: r.synced_at,
    pendingOperations: Number(owed.find((o) => o.connection_id === r.connection_id)?.n ?? 0),
  }));
}

export async function itsmBacklog(
  ctx: Ctx,
  filter: { connection?: string; status?: 'pending' | 'failed'; limit?: number },
): Promise<Backlog> {
  authorize(ctx.actor, 'release:read');
  let q = ctx.tx
    .selectFrom('itsm_operations as o')
    .innerJoin('itsm_connections as c', 'c.id', 'o.connection_id')
    .where('o.status', '!=', 'done');
  if (filter.connection) q = q.where('c.name', '=', filter.connection);
  const counts = await q
    .select([
      'o.status',
      (eb) => eb.fn.countAll<string | number>().as('n'),
      (eb) => eb.fn.min('o.created_at').as('oldest'),
    ])
    .groupBy('o.status')
    .execute();
  let listed = q;
  if (filter.status) listed = listed.where('o.status', '=', filter.status);
  const rows = await listed
    .select([
      'o.id',
      'c.name',
      'o.release_key',
      'o.kind',
      'o.status',
      'o.attempts',
      'o.next_attempt_at',
      'o.last_status_code',
      'o.last_error',
      'o.created_at',
    ])
    .orderBy('o.audit_seq')
    .limit(filter.limit ?? 100)
    .execute();
  const oldest = counts
    .map((c) => c.oldest as string | null)
    .filter((o): o is string => o !== null)
    .sort()[0];
  return {
    pending: Number(counts.find((c) => c.status === 'pending')?.n ?? 0),
    failed: Number(counts.find((c) => c.status === 'failed')?.n ?? 0),
    oldestCreatedAt: oldest ?? null,
    operations: rows.map((r) => ({
      id: r.id,
      connection: r.name,
      release: r.release_key,
      kind: r.kind,
      status: r.status,
      attempts: Number(r.attempts),
      nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
      lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
      lastError: r.last_error,
      createdAt: r.created_at,
    })),
  };
}

/** A failed operation goes back to pending now, with a fresh count of attempts. */
export async function retryOperation(ctx: Ctx, id: string): Promise<BacklogOperation> {
  authorize(ctx.actor, 'itsm:configure');
  const row = await ctx.tx
    .selectFrom('itsm_operations as o')
    .innerJoin('itsm_connections as c', 'c.id', 'o.connection_id')
    .select([
      'o.id',
      'c.name',
      'o.release_key',
      'o.kind',
      'o.status',
      'o.created_at',
      'o.last_error',
    ])
    .where('o.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('ITSM operation', id);
  if (row.status !== 'failed')
    throw conflict('not-failed', `operation ${id} is ${row.status}; only failed ones are retried`);
  const now = ctx.now.toISOString();
  await ctx.tx
    .updateTable('itsm_operations')
    .set({
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      claimed_until: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .execute();
  await recordAudit(ctx, {
    action: 'itsm-operation.retried',
    subjectType: 'itsm-operation',
    subjectId: id,
    before: { status: 'failed', lastError: row.last_error },
    after: { status: 'pending' },
  });
  return {
    id,
    connection: row.name,
    release: row.release_key,
    kind: row.kind,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastStatusCode: null,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}
