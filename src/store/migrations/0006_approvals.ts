import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  // Who authored the changes a release carries: segregation of duties reads it.
  await db.schema
    .alterTable('releases')
    .addColumn('authors', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();

  await db.schema
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // One decision per person, stage and content: a second one races to this constraint.
    .addUniqueConstraint('approvals_once', ['release_id', 'stage', 'actor_id', 'content_hash'])
    .execute();

  // One row per level reached while a stage waits: escalating again changes nothing.
  await db.schema
    .createTable('approval_escalations')
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('escalated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approval_escalations_pk', [
      'release_id',
      'stage',
      'opened_at',
      'level',
    ])
    .execute();
}
