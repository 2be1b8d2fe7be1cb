/**
 * The delivery metrics' per-(group, UTC day) aggregates kept in tables, and the triggers
 * that mark which UTC days they may be stale for (ADR 2300-1).
 *
 * `metric_deployment_days`, `metric_incident_days` and `metric_release_days` hold, per
 * dimension, exactly what src/store/metricAggregates.ts sums for one day;
 * `metric_computed_days` says which (dimension, day) pairs they hold. The triggers below
 * record in `metric_dirty_days` every UTC day whose aggregates a write may change,
 * whoever writes (use cases, the demo loader, a bulk import): the reader treats a marked
 * day as unknown and the refresh recomputes it. `mark` changes with every marking, so a
 * refresh clears only the marks it has read (a later write keeps its day dirty). The day
 * '*' stands for every day (a team or environment renamed).
 *
 * SQLite triggers are row-level; PostgreSQL's are statement-level over transition tables,
 * so a bulk insert marks its days in one statement, not one per row. Nothing is backfilled:
 * every day starts never-computed, and the first read or refresh computes it.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const day = (column: string) => `substr(${column}, 1, 10)`;

/**
 * Where a trigger's rows come from. On SQLite the row is `new` or `old` and there is no
 * FROM for it; on PostgreSQL it is a transition table (or the changed rows of one).
 */
interface Rows {
  row: string;
  /** `from <the rows and the tables> where true`, so conditions follow as `and …`. */
  from: (tables?: string) => string;
}

const sqliteRows = (row: 'new' | 'old'): Rows => ({
  row,
  from: (tables) => (tables ? `from ${tables} where true` : 'where true'),
});

const pgRows = (relation: string, alias: string): Rows => ({
  row: alias,
  from: (tables) => `from ${relation} ${alias}${tables ? `, ${tables}` : ''} where true`,
});

/** The days each kind of row touches, as SELECTs of one `day` column. */
const daysOf = {
  /** A deployment: its own start day. */
  deployment: ({ row, from }: Rows) => [`select ${day(`${row}.started_at`)} as day ${from()}`],
  /**
   * A deployment's release: the days its release counts fall on (on-time delivery reads
   * the release's production deployments; by environment, a deployment puts its release
   * in that environment's group).
   */
  deploymentRelease: ({ row, from }: Rows) => [
    `select ${day('r.created_at')} as day ${from('releases r')} and r.id = ${row}.release_id`,
    `select ${day('r.state_changed_at')} as day ${from('releases r')} and r.id = ${row}.release_id`,
  ],
  /** Incidents naming a deployment: by environment or class they sit in its group. */
  deploymentIncidents: ({ row, from }: Rows) => [
    `select ${day('i.started_at')} as day ${from('incident_deployments l, incidents i')}
       and l.deployment_id = ${row}.id and i.id = l.incident_id`,
  ],
  incident: ({ row, from }: Rows) => [`select ${day(`${row}.started_at`)} as day ${from()}`],
  /** A link: the deployment now counts as failed; the incident may change group. */
  link: ({ row, from }: Rows) => [
    `select ${day('d.started_at')} as day ${from('deployments d')} and d.id = ${row}.deployment_id`,
    `select ${day('i.started_at')} as day ${from('incidents i')} and i.id = ${row}.incident_id`,
  ],
  release: ({ row, from }: Rows) => [
    `select ${day(`${row}.created_at`)} as day ${from()}`,
    `select ${day(`${row}.state_changed_at`)} as day ${from()}`,
  ],
  /** A release's deployments (lead time, rework, class) and the incidents naming them. */
  releaseDeployments: ({ row, from }: Rows) => [
    `select ${day('d.started_at')} as day ${from('deployments d')} and d.release_id = ${row}.id`,
    `select ${day('i.started_at')} as day ${from('deployments d, incident_deployments l, incidents i')}
       and d.release_id = ${row}.id and l.deployment_id = d.id and i.id = l.incident_id`,
  ],
  releaseService: ({ row, from }: Rows) => [
    `select ${day('r.created_at')} as day ${from('releases r')} and r.id = ${row}.release_id`,
    `select ${day('r.state_changed_at')} as day ${from('releases r')} and r.id = ${row}.release_id`,
  ],
  /** A service moved to another team or renamed: every day it has facts on. */
  service: ({ row, from }: Rows) => [
    `select ${day('d.started_at')} as day ${from('deployments d')} and d.service_id = ${row}.id`,
    `select ${day('i.started_at')} as day ${from('incidents i')} and i.service_id = ${row}.id`,
    `select ${day('r.created_at')} as day ${from('release_services rs, releases r')}
       and rs.service_id = ${row}.id and r.id = rs.release_id`,
    `select ${day('r.state_changed_at')} as day ${from('release_services rs, releases r')}
       and rs.service_id = ${row}.id and r.id = rs.release_id`,
  ],
  everything: ({ from }: Rows) => [`select '*' as day ${from()}`],
};
type DaysOf = (rows: Rows) => string[];

interface Watch {
  table: string;
  /** For tables keyed by `id`: the update changes the metrics only if one of these changed. */
  columns?: string[];
  insert?: DaysOf[];
  delete?: DaysOf[];
  /** Marked for the old and the new row. */
  update?: DaysOf[];
  /** Marked for the new row only (reached through other tables, unchanged by the update). */
  updateNew?: DaysOf[];
}

const WATCHES: Watch[] = [
  {
    table: 'deployments',
    columns: ['release_id', 'service_id', 'environment_id', 'status', 'started_at', 'finished_at'],
    insert: [daysOf.deployment, daysOf.deploymentRelease],
    delete: [daysOf.deployment, daysOf.deploymentRelease],
    update: [daysOf.deployment, daysOf.deploymentRelease],
    updateNew: [daysOf.deploymentIncidents],
  },
  {
    table: 'incidents',
    columns: ['service_id', 'started_at', 'detected_at', 'resolved_at'],
    insert: [daysOf.incident],
    delete: [daysOf.incident],
    update: [daysOf.incident],
  },
  {
    table: 'incident_deployments',
    insert: [daysOf.link],
    delete: [daysOf.link],
    update: [daysOf.link],
  },
  {
    table: 'releases',
    columns: [
      'created_at',
      'state',
      'state_changed_at',
      'window_end',
      'classification',
      'change_type',
      'team_id',
    ],
    insert: [daysOf.release],
    delete: [daysOf.release],
    update: [daysOf.release],
    updateNew: [daysOf.releaseDeployments],
  },
  {
    table: 'release_services',
    insert: [daysOf.releaseService],
    delete: [daysOf.releaseService],
    update: [daysOf.releaseService],
  },
  { table: 'services', columns: ['name', 'team_id'], update: [daysOf.service] },
  { table: 'teams', columns: ['name'], update: [daysOf.everything] },
  { table: 'environments', columns: ['name', 'production'], update: [daysOf.everything] },
];

async function createTables(db: AnyDb, engine: Engine): Promise<void> {
  const mark = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('metric_dirty_days')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('mark', mark, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('metric_computed_days')
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_computed_days_pk', ['dimension', 'day'])
    .execute();
  await db.schema
    .createTable('metric_deployment_days')
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('grp', 'text', (c) => c.notNull())
    .addColumn('delivered', 'integer', (c) => c.notNull())
    .addColumn('finished', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('rework', 'integer', (c) => c.notNull())
    .addColumn('lead_times', 'text', (c) => c.notNull())
    .addColumn('durations', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_deployment_days_pk', ['dimension', 'day', 'grp'])
    .execute();
  await db.schema
    .createTable('metric_incident_days')
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('grp', 'text', (c) => c.notNull())
    .addColumn('incidents', 'integer', (c) => c.notNull())
    .addColumn('restores', 'text', (c) => c.notNull())
    .addColumn('detections', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_incident_days_pk', ['dimension', 'day', 'grp'])
    .execute();
  await db.schema
    .createTable('metric_release_days')
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    // 1: every release once (the whole organisation); 0: the releases of group `grp`.
    .addColumn('overall', 'integer', (c) => c.notNull())
    .addColumn('grp', 'text', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('emergency', 'integer', (c) => c.notNull())
    .addColumn('ended', 'integer', (c) => c.notNull())
    .addColumn('closed', 'integer', (c) => c.notNull())
    .addColumn('rollbacks', 'integer', (c) => c.notNull())
    .addColumn('planned', 'integer', (c) => c.notNull())
    .addColumn('on_time', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_release_days_pk', ['dimension', 'day', 'overall', 'grp'])
    .execute();
}

const unionOf = (selects: string[]) =>
  selects.map((s) => `select day from (${s}) x`).join('\nunion ');

const changed = (columns: string[], a: string, b: string, distinct: string) =>
  columns.map((c) => `${a}.${c} ${distinct} ${b}.${c}`).join(' or ');

async function createSqliteTriggers(db: AnyDb): Promise<void> {
  // Marks stay below 2^53 so they survive a round trip through a JavaScript number.
  const mark = (selects: string[]) => `
    insert into metric_dirty_days (day, mark)
    select day, abs(random()) % 9007199254740991 from (${unionOf(selects)}) where day is not null
    on conflict (day) do update set mark = excluded.mark;`;
  for (const w of WATCHES) {
    const name = `${w.table}_metric_days`;
    if (w.insert)
      await sql
        .raw(
          `create trigger ${name}_insert after insert on ${w.table} begin
           ${mark(w.insert.flatMap((f) => f(sqliteRows('new'))))} end`,
        )
        .execute(db);
    if (w.delete)
      await sql
        .raw(
          `create trigger ${name}_delete after delete on ${w.table} begin
           ${mark(w.delete.flatMap((f) => f(sqliteRows('old'))))} end`,
        )
        .execute(db);
    if (w.update) {
      const selects = [
        ...w.update.flatMap((f) => [...f(sqliteRows('old')), ...f(sqliteRows('new'))]),
        ...(w.updateNew ?? []).flatMap((f) => f(sqliteRows('new'))),
      ];
      const when = w.columns ? `when ${changed(w.columns, 'old', 'new', 'is not')}` : '';
      await sql
        .raw(
          `create trigger ${name}_update after update on ${w.table} ${when} begin
           ${mark(selects)} end`,
        )
        .execute(db);
    }
  }
}

async function createPostgresTriggers(db: AnyDb): Promise<void> {
  await sql`create sequence if not exists metric_dirty_mark`.execute(db);
  const mark = (selects: string[], withClause = '') => `
    ${withClause}
    insert into metric_dirty_days (day, mark)
    -- Each day once: ON CONFLICT DO UPDATE may not touch a row twice in one statement.
    select day, nextval('metric_dirty_mark')
      from (select distinct day from (${unionOf(selects)}) u) days where day is not null
    on conflict (day) do update set mark = excluded.mark;`;
  const create = async (name: string, table: string, event: string, body: string) => {
    await sql
      .raw(
        `create or replace function ${name}() returns trigger language plpgsql as $$
         begin ${body} return null; end $$`,
      )
      .execute(db);
    const tables =
      event === 'insert'
        ? 'new table as new_rows'
        : event === 'delete'
          ? 'old table as old_rows'
          : 'new table as new_rows old table as old_rows';
    await sql
      .raw(
        `create trigger ${name} after ${event} on ${table} referencing ${tables}
         for each statement execute function ${name}()`,
      )
      .execute(db);
  };
  for (const w of WATCHES) {
    const name = `${w.table}_metric_days`;
    if (w.insert)
      await create(
        `${name}_insert`,
        w.table,
        'insert',
        mark(w.insert.flatMap((f) => f(pgRows('new_rows', 'n')))),
      );
    if (w.delete)
      await create(
        `${name}_delete`,
        w.table,
        'delete',
        mark(w.delete.flatMap((f) => f(pgRows('old_rows', 'o')))),
      );
    if (w.update) {
      // Only the rows whose watched columns changed (tables keyed by id); otherwise all.
      const withClause = w.columns
        ? `with changed_new as (select nn.* from new_rows nn join old_rows oo on oo.id = nn.id
                                 where ${changed(w.columns, 'nn', 'oo', 'is distinct from')}),
                changed_old as (select oo.* from old_rows oo join new_rows nn on nn.id = oo.id
                                 where ${changed(w.columns, 'nn', 'oo', 'is distinct from')})`
        : '';
      const [newRows, oldRows] = w.columns
        ? [pgRows('changed_new', 'n'), pgRows('changed_old', 'o')]
        : [pgRows('new_rows', 'n'), pgRows('old_rows', 'o')];
      const selects = [
        ...w.update.flatMap((f) => [...f(oldRows), ...f(newRows)]),
        ...(w.updateNew ?? []).flatMap((f) => f(newRows)),
      ];
      await create(`${name}_update`, w.table, 'update', mark(selects, withClause));
    }
  }
}

/** The triggers alone (the write-cost bench drops and recreates them). */
export async function createTriggers(db: AnyDb, engine: Engine): Promise<void> {
  if (engine === 'postgres') await createPostgresTriggers(db);
  else await createSqliteTriggers(db);
}

export async function dropTriggers(db: AnyDb, engine: Engine): Promise<void> {
  for (const w of WATCHES)
    for (const event of ['insert', 'delete', 'update']) {
      const name = `${w.table}_metric_days_${event}`;
      await sql
        .raw(
          engine === 'postgres'
            ? `drop function if exists ${name}() cascade`
            : `drop trigger if exists ${name}`,
        )
        .execute(db);
    }
}

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  await createTables(db, engine);
  await createTriggers(db, engine);
}
