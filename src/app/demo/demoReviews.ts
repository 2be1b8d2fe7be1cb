/**
 * The demo history closes releases whose policy made a review mandatory; like a real
 * team, it writes and closes that review first (a short, blameless one).
 */
import { TEMPLATES } from '../../domain/review/review.js';
import { openMandatoryReviews } from '../../store/reviews.js';
import { SYSTEM_ACTOR, type Ctx } from '../context.js';
import { closeReview } from '../reviews/closeReview.js';
import { updateReviewSections } from '../reviews/updateReviewSections.js';

export async function completeDemoReviews(ctx: Ctx, releaseId: string): Promise<void> {
  const system: Ctx = { ...ctx, actor: SYSTEM_ACTOR };
  for (const { key } of await openMandatoryReviews(ctx.tx, releaseId)) {
    const review = await ctx.tx
      .selectFrom('reviews')
      .select('template')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    const sections = Object.fromEntries(
      TEMPLATES[review.template as 'full' | 'light']
        .filter((s) => s.mandatory)
        .map((s) => [s.name, `${s.title}: the change went out as planned and was verified.`]),
    );
    await updateReviewSections(system, key, { sections });
    await closeReview(system, key);
  }
}
