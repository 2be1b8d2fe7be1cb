import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { decodeCursor, encodeCursor, type Page } from '../pagination.js';

export interface AuditView {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
  hash: string;
  prevHash: string;
}

export async function listAudit(
  ctx: Ctx,
  filter: { subjectType?: string; subjectId?: string; limit: number; cursor?: string },
): Promise<Page<AuditView>> {
  authorize(ctx.actor, 'audit:read');
  let query = ctx.tx.selectFrom('audit_log').selectAll();
  if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.cursor) query = query.where('seq', '<', Number(decodeCursor(filter.cursor, 1)[0]));
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const items = rows.slice(0, filter.limit).map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    hash: r.hash,
    prevHash: r.prev_hash,
  }));
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > filter.limit && last ? encodeCursor([String(last.seq)]) : null,
  };
}
