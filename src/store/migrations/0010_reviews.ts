import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  await db.schema
    .createTable('reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    // One review per release: later triggers join the open one.
    .addColumn('release_id', 'text', (c) => c.notNull().unique().references('releases.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('mandatory', 'integer', (c) => c.notNull())
    .addColumn('triggers', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('sections', 'text', (c) => c.notNull())
    .addColumn('causes', 'text', (c) => c.notNull())
    .addColumn('factors', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text', (c) => c.references('users.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('reviews_status_due')
    .on('reviews')
    .columns(['status', 'due_at'])
    .execute();

  await db.schema
    .createTable('review_timeline_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('review_timeline_review')
    .on('review_timeline_entries')
    .columns(['review_id', 'at'])
    .execute();

  await db.schema
    .createTable('review_action_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.references('users.id'))
    .addColumn('due_at', 'text')
    .addColumn('success_criteria', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('open', 'in-progress', 'done', 'dropped')`),
    )
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The overdue query reads unfinished items by due date.
  await db.schema
    .createIndex('review_action_items_status_due')
    .on('review_action_items')
    .columns(['status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('review_action_items_review')
    .on('review_action_items')
    .columns(['review_id', 'position'])
    .execute();

  // Lessons learned: one row per closed review's text, cause and action, written when
  // the review closes. Services and factors are stored as ",a,b," so one LIKE filters
  // on both engines; the text is indexed by each engine's own full-text search.
  await db.schema
    .createTable('lessons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('services', 'text', (c) => c.notNull())
    .addColumn('factors', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .execute();
  if (engine === 'sqlite') {
    await sql`create virtual table lessons_fts using fts5(text, lesson_id unindexed, tokenize = 'porter unicode61')`.execute(
      db,
    );
  } else {
    await sql`create index lessons_text_fts on lessons using gin (to_tsvector('english', text))`.execute(
      db,
    );
  }

  await db.insertInto('counters').values({ name: 'review', value: 0 }).execute();
}
