/**
 * Adds an action item to an open review. It may be drafted without an owner or due date
 * in the meeting; the review does not close until each item has both.
 */
import { randomUUID } from 'node:crypto';
import { invalid } from '../../domain/errors.js';
import type { ActionItem, AddActionItemInput } from '../../domain/review/review.js';
import { activeUserId, loadActionItem } from '../../store/reviews.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { toUtc } from '../releases/releaseContent.js';
import { editableReview, saveReview } from './editableReview.js';

export async function addActionItem(
  ctx: Ctx,
  reviewIdOrKey: string,
  input: AddActionItemInput,
): Promise<ActionItem> {
  const review = await editableReview(ctx, reviewIdOrKey);
  let owner: string | null = null;
  if (input.owner !== undefined) {
    owner = (await activeUserId(ctx.tx, input.owner)) ?? null;
    if (!owner) throw invalid('/owner', `there is no active user '${input.owner}'`);
  }
  const id = randomUUID();
  const now = ctx.now.toISOString();
  await ctx.tx
    .insertInto('review_action_items')
    .values({
      id,
      review_id: review.id,
      position: review.actionItems.length,
      title: input.title,
      owner_id: owner,
      due_at: input.dueAt ? toUtc(input.dueAt) : null,
      success_criteria: input.successCriteria ?? '',
      status: 'open',
      created_at: now,
      updated_at: now,
    })
    .execute();
  await saveReview(ctx, review);
  const item = (await loadActionItem(ctx.tx, id, ctx.now))!;
  await recordAudit(ctx, {
    action: 'review.action-item-added',
    subjectType: 'review',
    subjectId: review.key,
    after: item,
  });
  return item;
}
