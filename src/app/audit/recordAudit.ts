import { canonicalJson, GENESIS_HASH, hashEntry } from '../../domain/audit-chain.js';
import { lockAuditChain } from '../../store/database.js';
import type { Ctx } from '../context.js';

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
  const last = await ctx.tx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
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
  await ctx.tx
    .insertInto('audit_log')
    .values({
      seq: content.seq,
      at: content.at,
      actor: content.actor,
      action: content.action,
      subject_type: content.subjectType,
      subject_id: content.subjectId,
      before: content.before,
      after: content.after,
      prev_hash: prevHash,
      hash,
    })
    .execute();
  return { seq: content.seq, hash };
}
