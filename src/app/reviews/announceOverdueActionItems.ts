/**
 * Announces review action items that have become overdue: once per item and due date,
 * a notice row and a `review.action-item.overdue` audit entry in one transaction, which
 * the notification pipeline turns into events for subscribers. Idempotent: running it
 * again (or on another replica) finds the notice and records nothing. Moving the due
 * date gives the item a new chance, and a new notice if that one is missed too.
 */
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export const ACTION_ITEM_OVERDUE = 'review.action-item.overdue';

export interface OverdueNotice {
  actionItem: string;
  review: string;
  release: string;
  title: string;
  owner: string | null;
  dueAt: string;
  status: string;
}

/**
 * Announces at most `limit` items, the longest overdue first. The scheduled job calls it
 * in short transactions until none is left: each notice's audit entry holds the chain's
 * lock on PostgreSQL until commit (ADR 3100-1), so one transaction for a backlog of items
 * would hold up every other writer until it ended.
 */
export async function announceOverdueActionItems(
  ctx: Ctx,
  limit: number,
): Promise<OverdueNotice[]> {
  authorize(ctx.actor, 'review:write');
  const rows = await ctx.tx
    .selectFrom('review_action_items as a')
    .innerJoin('reviews as r', 'r.id', 'a.review_id')
    .innerJoin('releases as rel', 'rel.id', 'r.release_id')
    .leftJoin('users as u', 'u.id', 'a.owner_id')
    .leftJoin('action_item_overdue_notices as n', (join) =>
      join.onRef('n.action_item_id', '=', 'a.id').onRef('n.due_at', '=', 'a.due_at'),
    )
    .select([
      'a.id',
      'a.title',
      'a.due_at',
      'a.status',
      'r.key as review',
      'rel.key as release',
      'u.name as owner',
    ])
    .where('a.status', 'in', ['open', 'in-progress'])
    .where('a.due_at', '<', ctx.now.toISOString())
    .where('n.action_item_id', 'is', null)
    .orderBy('a.due_at')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  const notices: OverdueNotice[] = [];
  for (const row of rows) {
    const notice: OverdueNotice = {
      actionItem: row.id,
      review: row.review,
      release: row.release,
      title: row.title,
      owner: row.owner,
      dueAt: row.due_at!,
      status: row.status,
    };
    const { seq } = await recordAudit(ctx, {
      action: ACTION_ITEM_OVERDUE,
      subjectType: 'action-item',
      subjectId: row.id,
      after: notice,
    });
    await ctx.tx
      .insertInto('action_item_overdue_notices')
      .values({
        action_item_id: row.id,
        due_at: row.due_at!,
        noticed_at: ctx.now.toISOString(),
        audit_seq: seq,
      })
      .execute();
    notices.push(notice);
  }
  return notices;
}
