/**
 * An inbound deployment event names a service and an artifact or version; the release
 * shipping it is found among the service's releases (`releaseShipping`,
 * src/app/ingestion/applyDeploymentEvent.ts). The index on the service alone made that
 * read every release the service ever had, so each event cost more than the one before.
 * These two answer either question by one probe and serve every look-up by service, so
 * they replace the single-column index.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createIndex('release_services_service_version')
    .on('release_services')
    .columns(['service_id', 'version'])
    .execute();
  await db.schema
    .createIndex('release_services_service_artifact')
    .on('release_services')
    .columns(['service_id', 'artifact'])
    .execute();
  await db.schema.dropIndex('release_services_service').execute();
}
