/**
 * A gate check asks, per service of a release, for its latest deployment to the prior
 * environment (`latestDeploymentsIn`, src/store/gates.ts): one index probe each with the
 * service among the equality columns. 0021's index (release, environment, start) made the
 * check read every deployment of the release there — a release redeployed a thousand
 * times read a thousand rows — and, without statistics, SQLite preferred the service's
 * whole history (a covering index) to it for the per-service probe. This one covers the
 * probe too (the id ends it) and serves both questions, so it replaces 0021's.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createIndex('deployments_release_environment_service')
    .on('deployments')
    .columns(['release_id', 'environment_id', 'service_id', 'started_at', 'id'])
    .execute();
  await db.schema.dropIndex('deployments_release_environment_started').execute();
}
