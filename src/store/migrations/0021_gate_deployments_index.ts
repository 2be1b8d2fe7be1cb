/**
 * A gate check asks for one release's deployments to one environment, oldest first
 * (`deploymentsIn`, src/store/gates.ts). No index led with both columns and the order, so
 * SQLite, without statistics, searched every deployment to the environment instead
 * (about 7 ms per check on the demo's production history, against 0.1 ms by this index).
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createIndex('deployments_release_environment_started')
    .on('deployments')
    .columns(['release_id', 'environment_id', 'started_at'])
    .execute();
}
