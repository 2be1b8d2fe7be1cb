/**
 * The delivery metrics' facts summed in SQL per group and UTC day
 * (src/domain/metrics/aggregates.ts), so a year of a large organisation reaches the
 * application as a few thousand rows instead of every deployment, incident and release.
 * One query per kind of fact, the same on both engines but for three small dialect
 * helpers (instant to epoch ms, list aggregation, ordered text comparison). The groups
 * are those of src/store/metrics.ts, which stays the row-level reference.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  DayAggregates,
  DeploymentDay,
  IncidentDay,
  ReleaseCounts,
  ReleaseDay,
} from '../domain/metrics/aggregates.js';
import type { Dimension, MetricRange } from '../domain/metrics/range.js';
import type { Engine } from './database.js';
import { releasesGroupedBy } from './metrics.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

const UNLINKED = '(unlinked)';

/** An ISO 8601 instant stored as text, as whole ms since the epoch (what Date.parse gives). */
const epochMs = (engine: Engine, column: RawBuilder<unknown>) =>
  engine === 'postgres'
    ? sql`round(extract(epoch from (${column})::timestamptz) * 1000)::bigint`
    : sql`cast(round(unixepoch(${column}, 'subsec') * 1000) as integer)`;

/** The non-null values of an integer expression over a group, comma-separated. */
const listOf = (engine: Engine, value: RawBuilder<unknown>) =>
  engine === 'postgres'
    ? sql<string | null>`string_agg((${value})::text, ',')`
    : sql<string | null>`group_concat(${value}, ',')`;

/** `column` inside any of some disjoint ranges: all the days one refresh recomputes at once. */
const withinAny = (column: RawBuilder<unknown>, ranges: readonly MetricRange[]) =>
  sql`(${sql.join(
    ranges.map((r) => sql`(${column} >= ${r.since} and ${column} < ${r.until})`),
    sql` or `,
  )})`;

/**
 * The ranges as rows (`since`, `until`), to join the deployments to: given the ranges as
 * ORed conditions instead, SQLite scanned every deployment of the groups, no longer
 * seeking to the start instants in its index.
 */
const windowsOf = (ranges: readonly MetricRange[]) =>
  sql.join(
    ranges.map((r) => sql`select ${r.since} as since, ${r.until} as until`),
    sql` union all `,
  );

/**
 * A comma-separated list of whole numbers, as `listOf` and the stored day rows hold them.
 * Read character by character: a year's summary parses a million of them per request,
 * and splitting made a string of each first. Anything but digits and a leading minus
 * (never written, but read exactly all the same) takes the general path.
 */
export function parseList(list: string | null): number[] {
  if (list === null || list === '') return [];
  const values: number[] = [];
  let value = 0;
  let negative = false;
  let digits = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else if (c === 44 && digits > 0) {
      values.push(negative ? -value : value);
      value = 0;
      negative = false;
      digits = 0;
    } else if (c === 45 && digits === 0 && !negative) negative = true;
    else return list.split(',').map(Number);
  }
  // Beyond 15 digits the running value could round before the end: the general path.
  if (digits === 0 || digits > 15) return list.split(',').map(Number);
  values.push(negative ? -value : value);
  return values;
}

/** A row of `deploymentDays`' query or of `metric_deployment_days`. */
export interface DeploymentDayRow {
  grp: string;
  day: string;
  delivered: number | string;
  finished: number | string;
  failed: number | string;
  rework: number | string;
  lead_times: string | null;
  durations: string | null;
}

export const deploymentDayOf = (r: DeploymentDayRow): DeploymentDay => ({
  group: r.grp,
  day: r.day,
  delivered: Number(r.delivered),
  finished: Number(r.finished),
  failed: Number(r.failed),
  rework: Number(r.rework),
  leadTimesMs: parseList(r.lead_times),
  durationsMs: parseList(r.durations),
});

/** A row of `incidentDays`' query or of `metric_incident_days`. */
export interface IncidentDayRow {
  grp: string;
  day: string;
  incidents: number | string;
  restores: string | null;
  detections: string | null;
}

export const incidentDayOf = (r: IncidentDayRow): IncidentDay => ({
  group: r.grp,
  day: r.day,
  incidents: Number(r.incidents),
  restoresMs: parseList(r.restores),
  detectionsMs: parseList(r.detections),
});

/** Release counts as `releaseDays`' query or `metric_release_days` name them. */
export type ReleaseCountsRow = Record<
  Exclude<keyof ReleaseCounts, 'onTime'> | 'on_time',
  number | string | null
>;

export const releaseCountsOf = (r: ReleaseCountsRow): ReleaseCounts => ({
  created: Number(r.created ?? 0),
  emergency: Number(r.emergency ?? 0),
  ended: Number(r.ended ?? 0),
  closed: Number(r.closed ?? 0),
  rollbacks: Number(r.rollbacks ?? 0),
  planned: Number(r.planned ?? 0),
  onTime: Number(r.on_time ?? 0),
});

export async function deploymentDays(
  db: Db,
  engine: Engine,
  ranges: readonly MetricRange[],
  by: Dimension,
): Promise<DeploymentDay[]> {
  const group: Record<Dimension, RawBuilder<string>> = {
    team: sql<string>`t.name`,
    service: sql<string>`s.name`,
    environment: sql<string>`e.name`,
    class: sql<string>`r.classification`,
  };
  const productionOnly = by === 'environment' ? sql`` : sql`and e.production = 1`;
  const finished = sql`d.status <> 'started' and d.finished_at is not null`;
  const delivered = sql`d.status = 'succeeded' and d.finished_at is not null`;
  const finishedMs = epochMs(engine, sql`d.finished_at`);
  // Never below zero: a deployment back-dated before its release was raised counts 0.
  const notNegative = (value: RawBuilder<unknown>) =>
    engine === 'postgres' ? sql`greatest(0, ${value})` : sql`max(0, ${value})`;
  const lead = sql`case when ${delivered}
      then ${notNegative(sql`${finishedMs} - ${epochMs(engine, sql`r.created_at`)}`)} end`;
  const duration = sql`case when ${finished} then ${finishedMs} - ${epochMs(engine, sql`d.started_at`)} end`;
  const rows = await sql<DeploymentDayRow>`
    select ${group[by]} as grp, substr(d.started_at, 1, 10) as day,
           sum(case when ${delivered} then 1 else 0 end) as delivered,
           sum(case when ${finished} then 1 else 0 end) as finished,
           sum(case when ${finished} and (d.status in ('failed', 'rolled-back') or exists (
                 select 1 from incident_deployments l where l.deployment_id = d.id))
               then 1 else 0 end) as failed,
           sum(case when ${finished} and (r.classification = 'emergency' or r.change_type = 'emergency')
               then 1 else 0 end) as rework,
           ${listOf(engine, lead)} as lead_times,
           ${listOf(engine, duration)} as durations
      from environments e
      join deployments d on d.environment_id = e.id
      join (${windowsOf(ranges)}) w on d.started_at >= w.since and d.started_at < w.until
      join releases r on r.id = d.release_id
      join services s on s.id = d.service_id
      join teams t on t.id = s.team_id
     where true ${productionOnly}
     group by ${group[by]}, substr(d.started_at, 1, 10)`.execute(db);
  return rows.rows.map(deploymentDayOf);
}

export async function incidentDays(
  db: Db,
  engine: Engine,
  ranges: readonly MetricRange[],
  by: Dimension,
): Promise<IncidentDay[]> {
  // As in src/store/metrics.ts: an incident's environment and release class are those
  // of the first deployment linked as its cause, if any.
  const firstCause = (column: RawBuilder<string>) => sql<string>`coalesce((
      select ${column} from incident_deployments l
        join deployments d on d.id = l.deployment_id
        join environments e on e.id = d.environment_id
        join releases r on r.id = d.release_id
       where l.incident_id = i.id
       order by l.linked_at, l.deployment_id limit 1), ${UNLINKED})`;
  const group: Record<Dimension, RawBuilder<string>> = {
    team: sql<string>`t.name`,
    service: sql<string>`s.name`,
    environment: firstCause(sql<string>`e.name`),
    class: firstCause(sql<string>`r.classification`),
  };
  const startedMs = epochMs(engine, sql`i.started_at`);
  const rows = await sql<IncidentDayRow>`
    select grp, day, count(*) as incidents,
           ${listOf(engine, sql`restore_ms`)} as restores,
           ${listOf(engine, sql`detect_ms`)} as detections
      from (select ${group[by]} as grp, substr(i.started_at, 1, 10) as day,
                   case when i.resolved_at is not null
                        then ${epochMs(engine, sql`i.resolved_at`)} - ${startedMs} end as restore_ms,
                   ${epochMs(engine, sql`i.detected_at`)} - ${startedMs} as detect_ms
              from incidents i
              join services s on s.id = i.service_id
              join teams t on t.id = s.team_id
             where ${withinAny(sql`i.started_at`, ranges)}) facts
     group by grp, day`.execute(db);
  return rows.rows.map(incidentDayOf);
}

export async function releaseDays(
  db: Db,
  engine: Engine,
  ranges: readonly MetricRange[],
  by: Dimension,
): Promise<ReleaseDay[]> {
  // The releases raised or changing state in range first, then their groups: by
  // environment PostgreSQL otherwise turned the deployments a release was deployed to
  // into a semi-join over every deployment (about 5 s for one day at full scale).
  const { group, from } = releasesGroupedBy(by, sql`ranged`);
  const inRange = (column: RawBuilder<unknown>) => withinAny(column, ranges);
  const created = inRange(sql`r.created_at`);
  const changed = inRange(sql`r.state_changed_at`);
  const ranged = sql`select * from releases r where (${created}) or (${changed})`;
  // Text compared byte by byte, as the row-level path compares in JavaScript.
  const ordered = engine === 'postgres' ? sql`collate "C"` : sql``;
  // A release counts as raised on the day it was created and as ended on the day its
  // state last changed; a release changing state in range without ending still puts its
  // group in the report, with nothing counted (as the row-level path does).
  const facts = sql`
    select r.id, ${group} as grp, r.created_at, r.state_changed_at,
           case when ${created} then 1 else 0 end as created,
           case when ${created} and (r.classification = 'emergency' or r.change_type = 'emergency')
                then 1 else 0 end as emergency,
           case when ${changed} then 1 else 0 end as changed,
           case when r.state in ('closed', 'failed', 'rolled-back') then 1 else 0 end as ended,
           case when r.state = 'closed' then 1 else 0 end as closed,
           case when r.state = 'rolled-back' then 1 else 0 end as rollbacks,
           -- Planned and delivered: 1 if by the window end, 0 if late; otherwise null.
           case when r.state = 'closed' and ${changed} and r.window_end is not null then (
             select case when max(d.finished_at ${ordered}) is null then null
                         when max(d.finished_at ${ordered}) <= r.window_end ${ordered} then 1
                         else 0 end
               from deployments d
               join environments pe on pe.id = d.environment_id
              where d.release_id = r.id and pe.production = 1 and d.status = 'succeeded')
           end as on_time
      from ${from}`;
  const perDay = sql`
    select id, grp, substr(created_at, 1, 10) as day, 1 as created, emergency,
           0 as ended, 0 as closed, 0 as rollbacks, null as on_time
      from facts where created = 1
    union all
    select id, grp, substr(state_changed_at, 1, 10) as day, 0, 0,
           ended, closed, rollbacks, on_time
      from facts where changed = 1`;
  const sums = sql`
           sum(created) as created, sum(emergency) as emergency, sum(ended) as ended,
           sum(closed) as closed, sum(rollbacks) as rollbacks,
           count(on_time) as planned, sum(on_time) as on_time`;
  type Row = ReleaseCountsRow & { grp: string; day: string; overall: number | string };
  // Overall, each release once. By team or class a release sits in one group, so the
  // groups add up; a release carrying several services, or deployed to several
  // environments, is counted once from the distinct releases.
  const overall =
    by === 'team' || by === 'class'
      ? sql`select 1 as overall, '' as grp, day, ${sums} from per_day group by day`
      : sql`select 1 as overall, '' as grp, day, ${sums}
              from (select distinct id, day, created, emergency, ended, closed, rollbacks,
                                    on_time from per_day) releases_once
             group by day`;
  const rows = await sql<Row>`
    with ranged as materialized (${ranged}),
         facts as materialized (${facts}),
         per_day as materialized (${perDay})
    select 0 as overall, grp, day, ${sums} from per_day group by grp, day
    union all
    ${overall}`.execute(db);
  return rows.rows.map((r) => ({
    group: r.grp,
    day: r.day,
    overall: Number(r.overall) === 1,
    counts: releaseCountsOf(r),
  }));
}

/**
 * Every day aggregate of some disjoint ranges, computed from the tables of record in one
 * query per kind of fact (a refresh after scattered writes used to run three per run of
 * consecutive days).
 */
export async function computeDays(
  db: Db,
  engine: Engine,
  ranges: readonly MetricRange[],
  by: Dimension,
): Promise<Omit<DayAggregates, 'releases'> & { releases: ReleaseDay[] }> {
  if (!ranges.length) return { deployments: [], incidents: [], releases: [] };
  return {
    deployments: await deploymentDays(db, engine, ranges, by),
    incidents: await incidentDays(db, engine, ranges, by),
    releases: await releaseDays(db, engine, ranges, by),
  };
}
