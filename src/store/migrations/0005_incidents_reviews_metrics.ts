import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull().check(sql`severity between 1 and 4`))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('resolved_at', 'text')
    // Where the incident came from (api, cli, cdevents) and its id there, so a re-sent
    // CDEvent is recognised instead of counted twice.
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('reporter_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('incidents_external', ['source', 'external_id'])
    .execute();
  // Metrics read incidents by when they started; suggestions by service and time.
  await db.schema
    .createIndex('incidents_started')
    .on('incidents')
    .columns(['started_at', 'service_id'])
    .execute();
  await db.schema
    .createIndex('incidents_service_started')
    .on('incidents')
    .columns(['service_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('incident_deployments')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('linked_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_deployments_pk', ['incident_id', 'deployment_id'])
    .execute();
  // "Did this deployment cause an incident?" is asked once per deployment by the
  // change-failure rate.
  await db.schema
    .createIndex('incident_deployments_deployment')
    .on('incident_deployments')
    .column('deployment_id')
    .execute();

  // DORA metrics scan one environment's deployments over a time range.
  await db.schema
    .createIndex('deployments_environment_started')
    .on('deployments')
    .columns(['environment_id', 'started_at'])
    .execute();

  await db.insertInto('counters').values({ name: 'incident', value: 0 }).execute();
}
