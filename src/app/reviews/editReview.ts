/**
 * The edits of an open review: its sections, timeline entries people add, causes,
 * contributing factors. Each is one use case, audited, in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { invalid } from '../../domain/errors.js';
import {
  sectionProblems,
  type AddCauseInput,
  type AddFactorInput,
  type AddTimelineEntryInput,
  type Review,
  type UpdateSectionsInput,
} from '../../domain/review/review.js';
import type { StoredCause } from '../../store/reviews.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems, toUtc } from '../releases/releaseContent.js';
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
