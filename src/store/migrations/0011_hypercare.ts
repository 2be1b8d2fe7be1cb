/**
 * Hypercare watches: one per successful production deployment, open for its release
 * class's stabilisation window, with the regression detector's latest findings.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('hypercare_watches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('deployment_id', 'text', (c) => c.notNull().unique().references('deployments.id'))
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    // The deployment marker: when the deployment finished.
    .addColumn('marker_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    // watching | regression | stable | cannot-judge
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('findings', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text')
    .execute();
  await db.schema
    .createIndex('hypercare_watches_open')
    .on('hypercare_watches')
    .columns(['status', 'ends_at'])
    .execute();
}
