/** What every edit of a review starts and ends with: load it open, and bump its revision. */
import { conflict, notFound } from '../../domain/errors.js';
import type { Review } from '../../domain/review/review.js';
import { loadReview } from '../../store/reviews.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export async function editableReview(ctx: Ctx, idOrKey: string): Promise<Review> {
  authorize(ctx.actor, 'review:write');
  const review = await loadReview(ctx.tx, idOrKey, ctx.now);
  if (!review) throw notFound('review', idOrKey);
  if (review.status === 'closed')
    throw conflict('review-closed', `${review.key} is closed; its record no longer changes`);
  return review;
}

/** Conditional on the revision read, so two people editing at once cannot both win. */
export async function saveReview(
  ctx: Ctx,
  review: Review,
  changes: { sections?: string; causes?: string; factors?: string } = {},
): Promise<void> {
  const moved = await ctx.tx
    .updateTable('reviews')
    .set({ ...changes, revision: review.revision + 1, updated_at: ctx.now.toISOString() })
    .where('id', '=', review.id)
    .where('revision', '=', review.revision)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1)
    throw conflict(
      'concurrent-change',
      `${review.key} changed while this edit was being made; read it again and retry`,
    );
}

export async function reloadReview(ctx: Ctx, id: string): Promise<Review> {
  return (await loadReview(ctx.tx, id, ctx.now))!;
}
