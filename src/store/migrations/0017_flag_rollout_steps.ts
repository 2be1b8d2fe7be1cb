/**
 * Rollout steps driven by a feature flag: each reading of the flag's state and exposure
 * that differs from the one before is kept, in order, per release and flag.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('flag_rollout_steps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('flag', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('exposure_percent', 'real', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('flag_rollout_steps_order', ['release_id', 'flag', 'seq'])
    .execute();
}
