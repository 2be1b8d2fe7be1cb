/**
 * Changes an action item's owner, due date, success criteria or status. Items keep
 * moving after their review has closed, so this works on closed reviews too.
 */
import { invalid, notFound } from '../../domain/errors.js';
import type { ActionItem, UpdateActionItemInput } from '../../domain/review/review.js';
import { activeUserId, loadActionItem } from '../../store/reviews.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { toUtc } from '../releases/releaseContent.js';

export async function updateActionItem(
  ctx: Ctx,
  itemId: string,
  input: UpdateActionItemInput,
): Promise<ActionItem> {
  authorize(ctx.actor, 'review:write');
  const before = await loadActionItem(ctx.tx, itemId, ctx.now);
  if (!before) throw notFound('action item', itemId);
  const changes: Record<string, string | null> = {};
  if (input.owner !== undefined) {
    const owner = await activeUserId(ctx.tx, input.owner);
    if (!owner) throw invalid('/owner', `there is no active user '${input.owner}'`);
    changes.owner_id = owner;
  }
  if (input.dueAt !== undefined) changes.due_at = toUtc(input.dueAt);
  if (input.successCriteria !== undefined) changes.success_criteria = input.successCriteria;
  if (input.status !== undefined) changes.status = input.status;
  await ctx.tx
    .updateTable('review_action_items')
    .set({ ...changes, updated_at: ctx.now.toISOString() })
    .where('id', '=', itemId)
    .execute();
  const after = (await loadActionItem(ctx.tx, itemId, ctx.now))!;
  await recordAudit(ctx, {
    action: 'review.action-item-updated',
    subjectType: 'review',
    subjectId: before.review,
    before,
    after,
  });
  return after;
}
