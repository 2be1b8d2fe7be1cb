/** Writes sections of an open review by name; unknown names are refused naming the field. */
import {
  sectionProblems,
  type Review,
  type UpdateSectionsInput,
} from '../../domain/review/review.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';
import { editableReview, reloadReview, saveReview } from './editableReview.js';

export async function updateReviewSections(
  ctx: Ctx,
  idOrKey: string,
  input: UpdateSectionsInput,
): Promise<Review> {
  const review = await editableReview(ctx, idOrKey);
  throwIfProblems(sectionProblems(review.template, input.sections), 'invalid-review');
  const texts = Object.fromEntries(review.sections.map((s) => [s.name, s.text]));
  await saveReview(ctx, review, { sections: JSON.stringify({ ...texts, ...input.sections }) });
  await recordAudit(ctx, {
    action: 'review.sections-updated',
    subjectType: 'review',
    subjectId: review.key,
    before: Object.fromEntries(Object.keys(input.sections).map((k) => [k, texts[k] ?? ''])),
    after: input.sections,
  });
  return reloadReview(ctx, review.id);
}
