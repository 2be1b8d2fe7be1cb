/** Names a contributing factor from the taxonomy, once per review. */
import { invalid } from '../../domain/errors.js';
import type { AddFactorInput, Review } from '../../domain/review/review.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { editableReview, reloadReview, saveReview } from './editableReview.js';

export async function addFactor(ctx: Ctx, idOrKey: string, input: AddFactorInput): Promise<Review> {
  const review = await editableReview(ctx, idOrKey);
  if (review.factors.some((f) => f.factor === input.factor))
    throw invalid('/factor', `${review.key} already lists '${input.factor}'`);
  const factors = [...review.factors, { factor: input.factor, note: input.note ?? '' }];
  await saveReview(ctx, review, { factors: JSON.stringify(factors) });
  await recordAudit(ctx, {
    action: 'review.factor-added',
    subjectType: 'review',
    subjectId: review.key,
    after: { factor: input.factor, note: input.note ?? '' },
  });
  return reloadReview(ctx, review.id);
}
