/** Reading reviews: one with its timeline and language flags, lists, Markdown, lessons. */
import { notFound } from '../../domain/errors.js';
import { checkBlamelessLanguage, type LanguageFlag } from '../../domain/review/blameless.js';
import { reviewMarkdown } from '../../domain/review/markdown.js';
import type { Review, TimelineEntry } from '../../domain/review/review.js';
import { searchLessons as searchLessonIndex, type LessonQuery } from '../../store/lessons.js';
import { loadReview } from '../../store/reviews.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { assembleTimeline } from './reviewTimeline.js';

export interface ReviewDetail extends Review {
  timeline: TimelineEntry[];
  languageFlags: LanguageFlag[];
}

async function languageFlags(
  ctx: Ctx,
  review: Review,
  timeline: readonly TimelineEntry[],
): Promise<LanguageFlag[]> {
  const users = await ctx.tx.selectFrom('users').select(['name', 'display_name']).execute();
  const people = users.map((u) => ({ name: u.name, displayName: u.display_name }));
  // Services, teams and environments are things a sentence may say broke.
  const named = await Promise.all(
    (['services', 'teams', 'environments'] as const).map((table) =>
      ctx.tx.selectFrom(table).select('name').execute(),
    ),
  );
  const things = new Set(named.flat().map((r) => r.name.toLowerCase()));
  const check = (field: string, text: string) =>
    checkBlamelessLanguage(field, text, people, things);
  return [
    ...review.sections.flatMap((s) => check(`/sections/${s.name}`, s.text)),
    ...review.causes.flatMap((c, i) => check(`/causes/${i}/text`, c.text)),
    ...review.factors.flatMap((f, i) => check(`/factors/${i}/note`, f.note)),
    ...timeline.flatMap((e, i) =>
      e.source === 'person' ? check(`/timeline/${i}/text`, e.text) : [],
    ),
    ...review.actionItems.flatMap((a, i) => check(`/actionItems/${i}/title`, a.title)),
  ];
}

export async function getReview(ctx: Ctx, idOrKey: string): Promise<ReviewDetail> {
  authorize(ctx.actor, 'review:read');
  const review = await loadReview(ctx.tx, idOrKey, ctx.now);
  if (!review) throw notFound('review', idOrKey);
  const timeline = await assembleTimeline(ctx.tx, review);
  return { ...review, timeline, languageFlags: await languageFlags(ctx, review, timeline) };
}

export async function exportReviewMarkdown(ctx: Ctx, idOrKey: string): Promise<string> {
  const detail = await getReview(ctx, idOrKey);
  return reviewMarkdown(detail, detail.timeline, detail.languageFlags);
}

export async function listReviews(
  ctx: Ctx,
  filter: { status?: 'open' | 'closed'; release?: string; limit: number },
): Promise<Review[]> {
  authorize(ctx.actor, 'review:read');
  let q = ctx.tx.selectFrom('reviews').select('reviews.id');
  if (filter.status) q = q.where('reviews.status', '=', filter.status);
  if (filter.release) {
    const release = filter.release;
    q = q
      .innerJoin('releases', 'releases.id', 'reviews.release_id')
      .where((w) =>
        w.or([w('releases.key', '=', release.toUpperCase()), w('releases.id', '=', release)]),
      );
  }
  const rows = await q
    .orderBy('reviews.opened_at', 'desc')
    .orderBy('reviews.key')
    .limit(filter.limit)
    .execute();
  const reviews: Review[] = [];
  for (const r of rows) reviews.push((await loadReview(ctx.tx, r.id, ctx.now))!);
  return reviews;
}

export interface LessonResult {
  review: string;
  release: string;
  kind: string;
  text: string;
  services: string[];
  factors: string[];
  closedAt: string;
}

export async function searchLessons(ctx: Ctx, query: LessonQuery): Promise<LessonResult[]> {
  authorize(ctx.actor, 'review:read');
  const hits = await searchLessonIndex(ctx.tx, ctx.engine, query);
  const ids = [...new Set(hits.map((h) => h.reviewId))];
  const keys = new Map(
    ids.length
      ? (
          await ctx.tx
            .selectFrom('reviews')
            .innerJoin('releases', 'releases.id', 'reviews.release_id')
            .select(['reviews.id', 'reviews.key', 'releases.key as release'])
            .where('reviews.id', 'in', ids)
            .execute()
        ).map((r) => [r.id, r])
      : [],
  );
  return hits.map(({ reviewId, ...h }) => ({
    review: keys.get(reviewId)!.key,
    release: keys.get(reviewId)!.release,
    ...h,
  }));
}

export interface RecurringFactor {
  factor: string;
  reviews: number;
  services: string[];
  reviewKeys: string[];
}

/**
 * Contributing factors named in more than one closed review (as a factor or on a
 * cause), most frequent first: what keeps coming back across releases.
 */
export async function recurringFactors(ctx: Ctx, minReviews: number): Promise<RecurringFactor[]> {
  authorize(ctx.actor, 'review:read');
  const rows = await ctx.tx
    .selectFrom('lessons')
    .innerJoin('reviews', 'reviews.id', 'lessons.review_id')
    .select(['reviews.key', 'lessons.factors', 'lessons.services'])
    .where('lessons.kind', '=', 'review')
    .execute();
  const byFactor = new Map<string, { keys: Set<string>; services: Set<string> }>();
  for (const row of rows)
    for (const factor of row.factors.split(',').filter(Boolean)) {
      const seen = byFactor.get(factor) ?? { keys: new Set(), services: new Set() };
      seen.keys.add(row.key);
      row.services
        .split(',')
        .filter(Boolean)
        .forEach((s) => seen.services.add(s));
      byFactor.set(factor, seen);
    }
  return [...byFactor.entries()]
    .filter(([, v]) => v.keys.size >= minReviews)
    .map(([factor, v]) => ({
      factor,
      reviews: v.keys.size,
      services: [...v.services].sort(),
      reviewKeys: [...v.keys].sort(),
    }))
    .sort((a, b) => b.reviews - a.reviews || a.factor.localeCompare(b.factor));
}
