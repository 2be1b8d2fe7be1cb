import { canonicalJson, GENESIS_HASH, hashEntry } from '../../domain/audit-chain.js';
import { lockAuditChain } from '../../store/database.js';
import { preparedQuery } from '../../store/prepared.js';
import type { Tx } from '../../store/database.js';
import type { Ctx } from '../context.js';

// Every write appends here, so both statements are compiled once (src/store/prepared.ts).
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
  await lockAuditChain(ctx.tx, ctx.engine);
  const [last] = await chainHead(ctx.tx, 1);
  const content = {
    seq: (last?.seq ?? 0) + 1,
    at: ctx.now.toISOString(),
    actor: ctx.actor.name,
    action: record.action,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    before:
      record.before === undefined || record.before === null ? null : canonicalJson(record.before),
    after: record.after === undefined || record.after === null ? null : canonicalJson(record.after),
  };
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
