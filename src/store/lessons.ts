/**
 * Lessons learned, searchable full-text: one interface, two engines. SQLite answers
 * from an FTS5 table (BM25 rank, Porter stemming), PostgreSQL from a GIN index over
 * `to_tsvector('english', text)` (ts_rank). The caller's words are turned into plain
 * terms for both, so search syntax from the user is never interpreted as operators.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Engine, Tx } from './database.js';

export interface LessonEntry {
  reviewId: string;
  kind: 'review' | 'cause' | 'action';
  text: string;
  services: readonly string[];
  factors: readonly string[];
  closedAt: string;
}

export interface LessonQuery {
  text?: string;
  service?: string;
  factor?: string;
  limit: number;
}

export interface LessonHit {
  reviewId: string;
  kind: string;
  text: string;
  services: string[];
  factors: string[];
  closedAt: string;
}

const list = (values: readonly string[]) => `,${values.join(',')},`;
const unlist = (value: string) => value.split(',').filter(Boolean);

/** Words only: letters and digits, so neither FTS5 nor tsquery syntax leaks through. */
export function searchTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 20);
}

export async function indexLessons(tx: Tx, engine: Engine, entries: readonly LessonEntry[]) {
  for (const e of entries) {
    const id = randomUUID();
    await tx
      .insertInto('lessons')
      .values({
        id,
        review_id: e.reviewId,
        kind: e.kind,
        text: e.text,
        services: list(e.services),
        factors: list(e.factors),
        closed_at: e.closedAt,
      })
      .execute();
    if (engine === 'sqlite')
      await tx.insertInto('lessons_fts').values({ text: e.text, lesson_id: id }).execute();
  }
}

export async function removeLessons(tx: Tx, engine: Engine, reviewId: string): Promise<void> {
  if (engine === 'sqlite')
    await tx
      .deleteFrom('lessons_fts')
      .where(
        'lesson_id',
        'in',
        tx.selectFrom('lessons').select('id').where('review_id', '=', reviewId),
      )
      .execute();
  await tx.deleteFrom('lessons').where('review_id', '=', reviewId).execute();
}

export async function searchLessons(tx: Tx, engine: Engine, q: LessonQuery): Promise<LessonHit[]> {
  const terms = q.text ? searchTerms(q.text) : [];
  // Words were asked for but none given (only punctuation): nothing can match.
  if (q.text !== undefined && terms.length === 0) return [];
  let query = tx
    .selectFrom('lessons')
    .select([
      'lessons.review_id',
      'lessons.kind',
      'lessons.text',
      'lessons.services',
      'lessons.factors',
      'lessons.closed_at',
    ]);
  if (q.service) query = query.where('lessons.services', 'like', `%,${q.service},%`);
  if (q.factor) query = query.where('lessons.factors', 'like', `%,${q.factor},%`);
  if (terms.length && engine === 'sqlite') {
    // Every term must appear (FTS5's implicit AND); each quoted so it is a plain word.
    const match = terms.map((t) => `"${t}"`).join(' ');
    query = query
      .innerJoin('lessons_fts', 'lessons_fts.lesson_id', 'lessons.id')
      .where(sql<boolean>`lessons_fts match ${match}`)
      .orderBy(sql`bm25(lessons_fts)`);
  } else if (terms.length) {
    const tsquery = sql`plainto_tsquery('english', ${terms.join(' ')})`;
    query = query
      .where(sql<boolean>`to_tsvector('english', lessons.text) @@ ${tsquery}`)
      .orderBy(sql`ts_rank(to_tsvector('english', lessons.text), ${tsquery})`, 'desc');
  }
  const rows = await query
    .orderBy('lessons.closed_at', 'desc')
    .orderBy('lessons.id')
    .limit(q.limit)
    .execute();
  return rows.map((r) => ({
    reviewId: r.review_id,
    kind: r.kind,
    text: r.text,
    services: unlist(r.services),
    factors: unlist(r.factors),
    closedAt: r.closed_at,
  }));
}
