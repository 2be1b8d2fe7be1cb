/**
 * The delivery metrics' day aggregates kept in tables (migration 0020, ADR 2300-1), so a
 * summary reads a few thousand stored rows instead of summing a year of deployments.
 *
 * Triggers mark every UTC day a write may change in `metric_dirty_days`. A read uses the
 * stored rows of the whole UTC days in its range that are computed and unmarked, and
 * computes the rest live from the tables of record with the same queries (the partial
 * days at either end, marked days, days never computed): it is exact whether or not a
 * refresh has run. `refreshMetricDays` stores what reads would otherwise compute live.
 */
import { sql, type Kysely } from 'kysely';
import {
  aggregatesOfDays,
  type DayAggregates,
  type MetricAggregates,
} from '../domain/metrics/aggregates.js';
import type { Dimension, MetricRange } from '../domain/metrics/range.js';
import type { Engine } from './database.js';
import {
  computeDays,
  deploymentDayOf,
  incidentDayOf,
  releaseCountsOf,
} from './metricAggregates.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

const DAY_MS = 86_400_000;
/** Refreshes take this advisory lock on PostgreSQL, so two replicas never interleave. */
const REFRESH_LOCK = 7240917313;
/** Every day is marked (a team or environment renamed). */
const EVERY_DAY = '*';

const dayStart = (day: string) => `${day}T00:00:00.000Z`;
const nextDay = (day: string) =>
  new Date(Date.parse(dayStart(day)) + DAY_MS).toISOString().slice(0, 10);

/** The whole UTC days inside a range, in order. */
export function wholeDays(range: MetricRange): string[] {
  const since = Date.parse(range.since);
  const first = Math.ceil(since / DAY_MS) * DAY_MS;
  const end = Math.floor(Date.parse(range.until) / DAY_MS) * DAY_MS;
  const days: string[] = [];
  for (let at = first; at < end; at += DAY_MS) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** Consecutive days as ranges from the first's midnight to the midnight after the last. */
function runsOf(days: string[]): MetricRange[] {
  const runs: MetricRange[] = [];
  let start: string | null = null;
  let last: string | null = null;
  for (const day of days) {
    if (last !== null && nextDay(last) === day) {
      last = day;
      continue;
    }
    if (start !== null) runs.push({ since: dayStart(start), until: dayStart(nextDay(last!)) });
    start = last = day;
  }
  if (start !== null) runs.push({ since: dayStart(start), until: dayStart(nextDay(last!)) });
  return runs;
}

/** The parts of a range not covered by the given whole days. */
function rangeWithout(range: MetricRange, covered: Set<string>): MetricRange[] {
  const parts: MetricRange[] = [];
  let from = range.since;
  for (const day of wholeDays(range)) {
    if (!covered.has(day)) continue;
    if (from < dayStart(day)) parts.push({ since: from, until: dayStart(day) });
    from = dayStart(nextDay(day));
  }
  if (from < range.until) parts.push({ since: from, until: range.until });
  return parts;
}

/**
 * The stored aggregates of the clean whole days `first` to `last`: every day between them
 * but `except` (the days computed live instead). Release counts are only ever added up
 * over the range, so they come summed per group: one row per group, not one per day.
 */
async function storedDays(
  db: Db,
  by: Dimension,
  first: string,
  last: string,
  except: string[],
): Promise<DayAggregates> {
  const ofCleanDays = sql<boolean>`dimension = ${by} and day >= ${first} and day <= ${last}
    ${except.length ? sql`and day not in (${sql.join(except)})` : sql``}`;
  const deployments = await db
    .selectFrom('metric_deployment_days')
    .select(['grp', 'day', 'delivered', 'finished', 'failed', 'rework', 'lead_times', 'durations'])
    .where(ofCleanDays)
    .execute();
  const incidents = await db
    .selectFrom('metric_incident_days')
    .select(['grp', 'day', 'incidents', 'restores', 'detections'])
    .where(ofCleanDays)
    .execute();
  const releases = await db
    .selectFrom('metric_release_days')
    .select(({ fn }) => [
      'overall',
      'grp',
      fn.sum<number>('created').as('created'),
      fn.sum<number>('emergency').as('emergency'),
      fn.sum<number>('ended').as('ended'),
      fn.sum<number>('closed').as('closed'),
      fn.sum<number>('rollbacks').as('rollbacks'),
      fn.sum<number>('planned').as('planned'),
      fn.sum<number>('on_time').as('on_time'),
    ])
    .where(ofCleanDays)
    .groupBy(['overall', 'grp'])
    .execute();
  return {
    deployments: deployments.map(deploymentDayOf),
    incidents: incidents.map(incidentDayOf),
    releases: releases.map((r) => ({
      group: r.grp,
      overall: Number(r.overall) === 1,
      counts: releaseCountsOf(r),
    })),
  };
}

/** Of some whole days, those computed for a dimension and not marked since. */
async function cleanDays(db: Db, by: Dimension, first: string, last: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('metric_computed_days as c')
    .select('c.day')
    .where('c.dimension', '=', by)
    .where('c.day', '>=', first)
    .where('c.day', '<=', last)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('metric_dirty_days as x')
            .select('x.day')
            .where((eb) => eb.or([eb('x.day', '=', eb.ref('c.day')), eb('x.day', '=', EVERY_DAY)])),
        ),
      ),
    )
    .execute();
  return new Set(rows.map((r) => r.day));
}

/**
 * The metrics' aggregates of a range: stored rows for its clean whole days, the rest
 * computed live. The clean days are read first and the stored rows only for them, so a
 * refresh or a write in between (on PostgreSQL each statement sees the latest commit)
 * never counts a day twice or not at all.
 */
export async function loadMetricAggregates(
  db: Db,
  engine: Engine,
  range: MetricRange,
  by: Dimension,
): Promise<MetricAggregates> {
  // PostgreSQL's JIT compiles these expression-heavy aggregates afresh for every request:
  // measured, the compilation costs more than it saves (ADR 1100-1). Only for this
  // transaction; outside one, `set local` does nothing.
  if (engine === 'postgres') await sql`set local jit = off`.execute(db);
  const days = wholeDays(range);
  const clean = days.length
    ? await cleanDays(db, by, days[0]!, days[days.length - 1]!)
    : new Set<string>();
  const parts: DayAggregates[] = [];
  if (clean.size)
    parts.push(
      await storedDays(
        db,
        by,
        days[0]!,
        days[days.length - 1]!,
        days.filter((day) => !clean.has(day)),
      ),
    );
  parts.push(await computeDays(db, engine, rangeWithout(range, clean), by));
  return aggregatesOfDays({
    deployments: parts.flatMap((p) => p.deployments),
    incidents: parts.flatMap((p) => p.incidents),
    releases: parts.flatMap((p) => p.releases),
  });
}

/** Whether some whole day of the range would be computed live for this dimension. */
export async function metricDaysStale(db: Db, range: MetricRange, by: Dimension): Promise<boolean> {
  const days = wholeDays(range);
  if (!days.length) return false;
  return (await cleanDays(db, by, days[0]!, days[days.length - 1]!)).size < days.length;
}

async function insertInBatches<T extends keyof Database>(
  tx: Db,
  table: T,
  rows: Array<Record<string, unknown>>,
): Promise<void> {
  if (!rows.length) return;
  const perBatch = Math.floor(30_000 / Object.keys(rows[0]!).length);
  for (let i = 0; i < rows.length; i += perBatch)
    await tx
      .insertInto(table)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are built to the table's shape below
      .values(rows.slice(i, i + perBatch) as any)
      .execute();
}

/**
 * Replaces the stored aggregates of some whole days (in order; a refresh passes at most a
 * month of them) with freshly computed ones, all computed at once.
 */
async function storeDays(tx: Db, engine: Engine, chosen: string[], by: Dimension): Promise<void> {
  const days = await computeDays(tx, engine, runsOf(chosen), by);
  for (const table of [
    'metric_deployment_days',
    'metric_incident_days',
    'metric_release_days',
  ] as const)
    await tx.deleteFrom(table).where('dimension', '=', by).where('day', 'in', chosen).execute();
  await insertInBatches(
    tx,
    'metric_deployment_days',
    days.deployments.map((d) => ({
      dimension: by,
      day: d.day,
      grp: d.group,
      delivered: d.delivered,
      finished: d.finished,
      failed: d.failed,
      rework: d.rework,
      lead_times: d.leadTimesMs.join(','),
      durations: d.durationsMs.join(','),
    })),
  );
  await insertInBatches(
    tx,
    'metric_incident_days',
    days.incidents.map((i) => ({
      dimension: by,
      day: i.day,
      grp: i.group,
      incidents: i.incidents,
      restores: i.restoresMs.join(','),
      detections: i.detectionsMs.join(','),
    })),
  );
  await insertInBatches(
    tx,
    'metric_release_days',
    days.releases.map((r) => ({
      dimension: by,
      day: r.day,
      overall: r.overall ? 1 : 0,
      grp: r.group,
      created: r.counts.created,
      emergency: r.counts.emergency,
      ended: r.counts.ended,
      closed: r.counts.closed,
      rollbacks: r.counts.rollbacks,
      planned: r.counts.planned,
      on_time: r.counts.onTime,
    })),
  );
  await tx
    .deleteFrom('metric_computed_days')
    .where('dimension', '=', by)
    .where('day', 'in', chosen)
    .execute();
  await insertInBatches(
    tx,
    'metric_computed_days',
    chosen.map((day) => ({ dimension: by, day })),
  );
}

/**
 * Stores the aggregates of up to `maxDays` whole days of the range that a read would
 * compute live for this dimension: never computed, or marked by a write. A consumed mark
 * also makes the other dimensions' copy of that day never-computed, and is cleared only
 * if unchanged since it was read (a write committing meanwhile keeps its day marked).
 * Returns how many such days remain. Run it in a write transaction.
 */
export async function refreshMetricDays(
  tx: Db,
  engine: Engine,
  range: MetricRange,
  by: Dimension,
  maxDays: number,
): Promise<{ refreshed: number; remaining: number }> {
  if (engine === 'postgres') {
    await sql`select pg_advisory_xact_lock(${REFRESH_LOCK})`.execute(tx);
    await sql`set local jit = off`.execute(tx);
  }
  const days = wholeDays(range);
  if (!days.length) return { refreshed: 0, remaining: 0 };
  const marks = await tx.selectFrom('metric_dirty_days').select(['day', 'mark']).execute();
  const everything = marks.find((m) => m.day === EVERY_DAY);
  if (everything) {
    await tx.deleteFrom('metric_computed_days').execute();
    await tx
      .deleteFrom('metric_dirty_days')
      .where('day', '=', EVERY_DAY)
      .where('mark', '=', everything.mark)
      .execute();
  }
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const computed = new Set(
    (
      await tx
        .selectFrom('metric_computed_days')
        .select('day')
        .where('dimension', '=', by)
        .where('day', '>=', first)
        .where('day', '<=', last)
        .execute()
    ).map((r) => r.day),
  );
  const dirty = new Map(marks.filter((m) => m.day !== EVERY_DAY).map((m) => [m.day, m.mark]));
  const stale = days.filter((day) => !computed.has(day) || dirty.has(day));
  const chosen = stale.slice(0, maxDays);
  if (chosen.length) await storeDays(tx, engine, chosen, by);
  const consumed = chosen.filter((day) => dirty.has(day));
  for (let i = 0; i < consumed.length; i += 500) {
    const batch = consumed.slice(i, i + 500);
    await tx
      .deleteFrom('metric_computed_days')
      .where('dimension', '<>', by)
      .where('day', 'in', batch)
      .execute();
    await tx
      .deleteFrom('metric_dirty_days')
      .where((eb) =>
        eb.or(batch.map((day) => eb.and([eb('day', '=', day), eb('mark', '=', dirty.get(day)!)]))),
      )
      .execute();
  }
  return { refreshed: chosen.length, remaining: stale.length - chosen.length };
}
