/**
 * The gate's "dependency releases ready" rule looks, for each service the release's
 * services depend on, for that service's releases still under way (`upstreamReleases`,
 * src/store/gates.ts). It read every release the dependency ever had, each by two
 * look-ups of the table rows (its release id, then its state): a third of a gate check's
 * time under load. With these, the dependency's releases are read from one index and
 * each is checked against an index of the releases under way, which holds only those.
 * The index's condition is the query's, word for word, so both engines use it.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createIndex('release_services_service_release')
    .on('release_services')
    .columns(['service_id', 'release_id', 'version'])
    .execute();
  await db.schema
    .createIndex('releases_under_way')
    .on('releases')
    .columns(['id', 'created_at'])
    .where(sql<boolean>`state not in ('closed', 'no-go', 'rolled-back', 'failed', 'cancelled')`)
    .execute();
}
