/**
 * Adds a root cause: a 5 Whys answer (its parent is the why it answers) or a fishbone
 * cause in a category. Without linked evidence it is kept, and shown as speculative.
 */
import { randomUUID } from 'node:crypto';
import { invalid } from '../../domain/errors.js';
import type { AddCauseInput, Review } from '../../domain/review/review.js';
import type { StoredCause } from '../../store/reviews.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { editableReview, reloadReview, saveReview } from './editableReview.js';

export async function addCause(ctx: Ctx, idOrKey: string, input: AddCauseInput): Promise<Review> {
  const review = await editableReview(ctx, idOrKey);
  if (input.parent !== undefined) {
    const parent = review.causes.find((c) => c.id === input.parent);
    if (!parent) throw invalid('/parent', `${review.key} has no cause '${input.parent}'`);
    if (input.method !== 'five-whys' || parent.method !== 'five-whys')
      throw invalid('/parent', 'only a 5 Whys answer follows another 5 Whys answer');
  }
  if (input.method === 'fishbone' && !input.category)
    throw invalid('/category', 'a fishbone cause belongs to a category');
  const cause: StoredCause = {
    id: randomUUID(),
    method: input.method,
    text: input.text,
    parent: input.parent ?? null,
    category: input.category ?? null,
    factor: input.factor ?? null,
    evidence: input.evidence ?? [],
    author: ctx.actor.name,
    createdAt: ctx.now.toISOString(),
  };
  const causes = [...review.causes.map(({ speculative: _, ...c }) => c), cause];
  await saveReview(ctx, review, { causes: JSON.stringify(causes) });
  await recordAudit(ctx, {
    action: 'review.cause-added',
    subjectType: 'review',
    subjectId: review.key,
    after: cause,
  });
  return reloadReview(ctx, review.id);
}
