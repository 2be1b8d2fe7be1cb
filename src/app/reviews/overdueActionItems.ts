/**
 * Unfinished action items past their due date, oldest first. The API and CLI show it;
 * `announceOverdueActionItems` (a scheduled job) tells subscribers, once per due date.
 */
import type { ActionItem } from '../../domain/review/review.js';
import { selectActionItems, toActionItem } from '../../store/reviews.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export async function overdueActionItems(ctx: Ctx): Promise<ActionItem[]> {
  authorize(ctx.actor, 'review:read');
  const rows = await selectActionItems(ctx.tx)
    .where('review_action_items.status', 'in', ['open', 'in-progress'])
    .where('review_action_items.due_at', '<', ctx.now.toISOString())
    .orderBy('review_action_items.due_at')
    .orderBy('review_action_items.id')
    .execute();
  return rows.map((r) => toActionItem(r, ctx.now));
}
