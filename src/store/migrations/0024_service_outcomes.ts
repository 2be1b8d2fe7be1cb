/**
 * What the release list's risk score counts, kept as releases end rather than found by
 * reading each listed service's whole history on every page (ADR 3000-1):
 *
 * - `service_outcomes`: one row per (service, ended release), ordered as the history is
 *   (the release's created_at, then its id), with whether it failed or was rolled back;
 * - `service_outcome_totals`: per service, how many of its releases ended and failed.
 *
 * A release's history is its services' totals less what ended among releases raised at
 * or after it: the few rows newer than the page, not the service's whole past. Both are
 * written by the transition into an ended state (`recordReleaseOutcome`); releases that
 * ended before this migration are filled in here.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('service_outcomes')
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('release_created_at', 'text', (c) => c.notNull())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_outcomes_pk', [
      'service_id',
      'release_created_at',
      'release_id',
    ])
    .execute();
  await db.schema
    .createTable('service_outcome_totals')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id'))
    .addColumn('finished', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .execute();
  await sql`
    insert into service_outcomes (service_id, release_created_at, release_id, failed)
    select rs.service_id, r.created_at, r.id,
           case when r.state in ('failed', 'rolled-back') then 1 else 0 end
    from release_services rs
    join releases r on r.id = rs.release_id
    where r.state in ('closed', 'failed', 'rolled-back')`.execute(db);
  await sql`
    insert into service_outcome_totals (service_id, finished, failed)
    select service_id, count(*), sum(failed) from service_outcomes group by service_id`.execute(db);
}
