/** Adds what the records do not show to a review's timeline (never in the future). */
import { randomUUID } from 'node:crypto';
import { invalid } from '../../domain/errors.js';
import type { AddTimelineEntryInput, Review } from '../../domain/review/review.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { toUtc } from '../releases/releaseContent.js';
import { editableReview, reloadReview, saveReview } from './editableReview.js';

export async function addTimelineEntry(
  ctx: Ctx,
  idOrKey: string,
  input: AddTimelineEntryInput,
): Promise<Review> {
  const review = await editableReview(ctx, idOrKey);
  const at = toUtc(input.at);
  if (at > ctx.now.toISOString())
    throw invalid('/at', 'a timeline entry records what happened; it cannot be in the future');
  const id = randomUUID();
  await ctx.tx
    .insertInto('review_timeline_entries')
    .values({
      id,
      review_id: review.id,
      at,
      text: input.text,
      author_id: ctx.actor.userId,
      created_at: ctx.now.toISOString(),
    })
    .execute();
  await saveReview(ctx, review);
  await recordAudit(ctx, {
    action: 'review.timeline-entry-added',
    subjectType: 'review',
    subjectId: review.key,
    after: { id, at, text: input.text },
  });
  return reloadReview(ctx, review.id);
}
