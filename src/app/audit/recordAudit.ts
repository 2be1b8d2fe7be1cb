import { sql } from 'kysely';
import {
  canonicalJson,
  GENESIS_HASH,
  hashedAround,
  hashEntry,
  type AuditContent,
} from '../../domain/audit-chain.js';
import { preparedQuery } from '../../store/prepared.js';
import type { Tx } from '../../store/database.js';
import type { Ctx } from '../context.js';

// On SQLite every write appends here, so both statements are compiled once
// (src/store/prepared.ts).
const chainHead = preparedQuery((tx: Tx, limit: number) =>
  tx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(limit),
);
const appendEntry = preparedQuery(
  (
    tx: Tx,
    seq: number,
    at: string,
    actor: string,
    action: string,
    subjectType: string,
    subjectId: string,
    before: string | null,
    after: string | null,
    prevHash: string,
    hash: string,
  ) =>
    tx.insertInto('audit_log').values({
      seq,
      at,
      actor,
      action,
      subject_type: subjectType,
      subject_id: subjectId,
      before,
      after,
      prev_hash: prevHash,
      hash,
    }),
);

export interface AuditRecord {
  action: string;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends one entry to the hash chain inside the caller's transaction, so the entry
 * exists exactly when the change it describes does.
 */
export async function recordAudit(
  ctx: Ctx,
  record: AuditRecord,
): Promise<{ seq: number; hash: string }> {
  const entry = {
    at: ctx.now.toISOString(),
    actor: ctx.actor.name,
    action: record.action,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    before:
      record.before === undefined || record.before === null ? null : canonicalJson(record.before),
    after: record.after === undefined || record.after === null ? null : canonicalJson(record.after),
  };
  if (ctx.engine === 'postgres') return appendOnPostgres(ctx, entry);
  // SQLite: one writer at a time, so the head read here stays the head until commit.
  const [last] = await chainHead(ctx.tx, 1);
  const content = { seq: (last?.seq ?? 0) + 1, ...entry };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = hashEntry(content, prevHash);
  await appendEntry(
    ctx.tx,
    content.seq,
    content.at,
    content.actor,
    content.action,
    content.subjectType,
    content.subjectId,
    content.before,
    content.after,
    prevHash,
    hash,
  );
  return { seq: content.seq, hash };
}

/**
 * PostgreSQL takes the chain's lock, reads the head, hashes and inserts in one call
 * (migration 0028), so a writer holds the lock for that call and its commit.
 */
async function appendOnPostgres(
  ctx: Ctx,
  entry: Omit<AuditContent, 'seq'>,
): Promise<{ seq: number; hash: string }> {
  const around = hashedAround(entry);
  const { rows } = await sql<{ entry_seq: string; entry_hash: string }>`
    select entry_seq, entry_hash from audit_append(${entry.at}, ${entry.actor}, ${entry.action},
      ${entry.subjectType}, ${entry.subjectId}, ${entry.before}, ${entry.after},
      ${around.before}, ${around.after}, ${GENESIS_HASH})`.execute(ctx.tx);
  return { seq: Number(rows[0]!.entry_seq), hash: rows[0]!.entry_hash };
}
