/**
 * The calendar (windows, freeze exceptions), the facts a release's risk is judged on,
 * the risk register and the versioned risk-weights document.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('calendar_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('release', 'freeze', 'maintenance')`),
    )
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // Local wall-clock times in time_zone: the recurrence is defined in local time.
    .addColumn('local_start', 'text', (c) => c.notNull())
    .addColumn('local_end', 'text', (c) => c.notNull())
    .addColumn('rrule', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('environments', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.check(sql`capacity is null or capacity >= 1`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('freeze_exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull().references('calendar_windows.id'))
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('approved_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('freeze_exceptions_once', ['window_id', 'release_id'])
    .execute();

  // Facts a release's risk is judged on; all optional, so existing releases stay valid.
  await db.schema.alterTable('releases').addColumn('window_environment', 'text').execute();
  await db.schema.alterTable('releases').addColumn('risk_facts', 'text').execute();

  await db.schema
    .createTable('release_risks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('risk', 'text', (c) => c.notNull())
    .addColumn('impact', 'integer', (c) => c.notNull().check(sql`impact between 1 and 5`))
    .addColumn('probability', 'integer', (c) => c.notNull().check(sql`probability between 1 and 5`))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('mitigation', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('release_risks_release')
    .on('release_risks')
    .column('release_id')
    .execute();

  await db.schema
    .createTable('risk_weights')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
