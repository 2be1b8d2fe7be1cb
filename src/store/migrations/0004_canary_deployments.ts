/**
 * Canary analyses of a release: the config they are judged by, the samples pushed for
 * baseline and canary (in arrival order per metric), and every verdict with its evidence.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  await db.schema
    .createTable('canary_analyses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('judge', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    // Bumped by every push: the row lock that serialises pushes to one analysis.
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('canary_analyses_release')
    .on('canary_analyses')
    .columns(['release_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('canary_samples')
    .addColumn('analysis_id', 'text', (c) => c.notNull().references('canary_analyses.id'))
    .addColumn('sample_group', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    // NULL is a missing sample (NaN cannot travel in JSON nor live in SQLite).
    .addColumn('value', engine === 'sqlite' ? 'real' : 'double precision')
    .addPrimaryKeyConstraint('canary_samples_pk', ['analysis_id', 'sample_group', 'metric', 'seq'])
    .execute();

  await db.schema
    .createTable('canary_verdicts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('analysis_id', 'text', (c) => c.notNull().references('canary_analyses.id'))
    .addColumn('judge', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('score', engine === 'sqlite' ? 'real' : 'double precision')
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('judged_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('canary_verdicts_analysis')
    .on('canary_verdicts')
    .columns(['analysis_id', 'judged_at'])
    .execute();

  await db.schema
    .createTable('rollout_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // The whole decision: evidence, next step, halted, rollback order.
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rollout_decisions_release')
    .on('rollout_decisions')
    .columns(['release_id', 'decided_at'])
    .execute();
}
