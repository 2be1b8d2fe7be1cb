/**
 * Closes a review: refused, naming each field, while a mandatory section is empty or an
 * action item lacks an owner or due date. Closing indexes its text, causes and actions
 * as lessons learned.
 */
import { conflict, notFound } from '../../domain/errors.js';
import type { Review } from '../../domain/review/review.js';
import { closingProblems } from '../../domain/review/review.js';
import { indexLessons, type LessonEntry } from '../../store/lessons.js';
import { loadReview } from '../../store/reviews.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

export function lessonsOf(review: Review, closedAt: string): LessonEntry[] {
  const factors = [
    ...new Set([
      ...review.factors.map((f) => f.factor),
      ...review.causes.flatMap((c) => (c.factor ? [c.factor] : [])),
    ]),
  ];
  const base = { reviewId: review.id, services: review.services, factors, closedAt };
  const summary = [
    `${review.key} ${review.release} ${review.releaseTitle}`,
    ...review.sections.filter((s) => s.text.trim()).map((s) => `${s.title}: ${s.text}`),
    ...review.factors.filter((f) => f.note).map((f) => `${f.factor}: ${f.note}`),
  ].join('\n');
  return [
    { ...base, kind: 'review', text: summary },
    ...review.causes.map((c) => ({ ...base, kind: 'cause' as const, text: c.text })),
    ...review.actionItems.map((a) => ({
      ...base,
      kind: 'action' as const,
      text: `${a.title}${a.successCriteria ? ` — ${a.successCriteria}` : ''}`,
    })),
  ];
}

export async function closeReview(ctx: Ctx, idOrKey: string, note?: string): Promise<Review> {
  authorize(ctx.actor, 'review:close');
  const review = await loadReview(ctx.tx, idOrKey, ctx.now);
  if (!review) throw notFound('review', idOrKey);
  if (review.status === 'closed')
    throw conflict('review-closed', `${review.key} is already closed`);
  throwIfProblems(closingProblems(review), 'review-incomplete');
  const now = ctx.now.toISOString();
  const moved = await ctx.tx
    .updateTable('reviews')
    .set({
      status: 'closed',
      closed_at: now,
      closed_by: ctx.actor.userId,
      revision: review.revision + 1,
      updated_at: now,
    })
    .where('id', '=', review.id)
    .where('revision', '=', review.revision)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1)
    throw conflict('concurrent-change', `${review.key} changed while it was being closed; retry`);
  await indexLessons(ctx.tx, ctx.engine, lessonsOf(review, now));
  await recordAudit(ctx, {
    action: 'review.closed',
    subjectType: 'review',
    subjectId: review.key,
    before: { status: 'open' },
    after: { status: 'closed', release: review.release, note: note ?? null },
  });
  return (await loadReview(ctx.tx, review.id, ctx.now))!;
}
