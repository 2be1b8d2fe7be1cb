/**
 * Action items: what the organisation commits to after a review. They may be drafted
 * without an owner in the meeting, but a review does not close until each has one;
 * they keep moving (status, due date) after the review is closed.
 */
import { randomUUID } from 'node:crypto';
import { invalid, notFound } from '../../domain/errors.js';
import type {
  ActionItem,
  AddActionItemInput,
  UpdateActionItemInput,
} from '../../domain/review/review.js';
import type { Tx } from '../../store/database.js';
import { selectActionItems, toActionItem } from '../../store/reviews.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { toUtc } from '../releases/releaseContent.js';
import { editableReview, saveReview } from './editableReview.js';

async function userId(tx: Tx, name: string): Promise<string> {
  const user = await tx
    .selectFrom('users')
    .select('id')
    .where('name', '=', name)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!user) throw invalid('/owner', `there is no active user '${name}'`);
  return user.id;
}

async function loadItem(ctx: Ctx, id: string): Promise<ActionItem> {
  const row = await selectActionItems(ctx.tx)
    .where('review_action_items.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('action item', id);
  return toActionItem(row, ctx.now);
}

export async function addActionItem(
  ctx: Ctx,
  reviewIdOrKey: string,
  input: AddActionItemInput,
): Promise<ActionItem> {
  const review = await editableReview(ctx, reviewIdOrKey);
  const owner = input.owner === undefined ? null : await userId(ctx.tx, input.owner);
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
  const item = await loadItem(ctx, id);
  await recordAudit(ctx, {
    action: 'review.action-item-added',
    subjectType: 'review',
    subjectId: review.key,
    after: item,
  });
  return item;
}

export async function updateActionItem(
  ctx: Ctx,
  itemId: string,
  input: UpdateActionItemInput,
): Promise<ActionItem> {
  authorize(ctx.actor, 'review:write');
  const before = await loadItem(ctx, itemId);
  const changes: Record<string, string | null> = {};
  if (input.owner !== undefined) changes.owner_id = await userId(ctx.tx, input.owner);
  if (input.dueAt !== undefined) changes.due_at = toUtc(input.dueAt);
  if (input.successCriteria !== undefined) changes.success_criteria = input.successCriteria;
  if (input.status !== undefined) changes.status = input.status;
  await ctx.tx
    .updateTable('review_action_items')
    .set({ ...changes, updated_at: ctx.now.toISOString() })
    .where('id', '=', itemId)
    .execute();
  const after = await loadItem(ctx, itemId);
  await recordAudit(ctx, {
    action: 'review.action-item-updated',
    subjectType: 'review',
    subjectId: before.review,
    before,
    after,
  });
  return after;
}

/**
 * Unfinished action items past their due date, oldest first; a scheduler calls this to
 * notify owners, and the API shows it.
 */
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
