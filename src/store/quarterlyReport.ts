/** What the quarterly health report reads beyond the metrics: factors, overdue items, people. */
import type { Tx } from './database.js';

/** Per closed review lesson: its factors and services, and whether it closed in range. */
export async function factorsNamed(
  tx: Tx,
  range: { since: string; until: string },
): Promise<Array<{ review: string; factors: string[]; services: string[]; inRange: boolean }>> {
  const rows = await tx
    .selectFrom('lessons')
    .innerJoin('reviews', 'reviews.id', 'lessons.review_id')
    .select(['reviews.key', 'lessons.factors', 'lessons.services', 'lessons.closed_at'])
    .where('lessons.kind', '=', 'review')
    .where('lessons.closed_at', '<', range.until)
    .orderBy('reviews.key')
    .execute();
  const list = (text: string) => text.split(',').filter(Boolean);
  return rows.map((r) => ({
    review: r.key,
    factors: list(r.factors),
    services: list(r.services),
    inRange: r.closed_at >= range.since,
  }));
}

/** Unfinished action items past due at `now`, with their owner's team (never the owner). */
export async function overdueActionItemsByTeam(tx: Tx, now: string) {
  const rows = await tx
    .selectFrom('review_action_items as a')
    .innerJoin('reviews as r', 'r.id', 'a.review_id')
    .innerJoin('releases as rel', 'rel.id', 'r.release_id')
    .leftJoin('users as u', 'u.id', 'a.owner_id')
    .leftJoin('teams as t', 't.id', 'u.team_id')
    .select([
      'a.title',
      'a.due_at',
      'a.owner_id',
      'r.key as review',
      'rel.key as release',
      't.name as team',
    ])
    .where('a.status', 'in', ['open', 'in-progress'])
    .where('a.due_at', '<', now)
    .orderBy('a.due_at')
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({
    title: r.title,
    review: r.review,
    release: r.release,
    dueAt: r.due_at!,
    ownerTeam: r.team,
    hasOwner: r.owner_id !== null,
  }));
}

/** Every way a person is named in the store, to keep them out of an anonymised report. */
export async function personIdentifiers(tx: Tx): Promise<string[]> {
  const users = await tx
    .selectFrom('users')
    .select(['id', 'name', 'display_name', 'email'])
    .execute();
  return users.flatMap((u) => [u.id, u.name, u.display_name, ...(u.email ? [u.email] : [])]);
}
