/**
 * Gathers the facts the delivery metrics are computed from (src/domain/metrics/facts.ts)
 * for one range, each row labelled with its group. The SQL is the same on both engines;
 * only what a "group" is changes with the dimension asked for.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  DeploymentFact,
  IncidentFact,
  MetricFacts,
  ReleaseFact,
} from '../domain/metrics/facts.js';
import type { Dimension, MetricRange } from '../domain/metrics/range.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

const UNLINKED = '(unlinked)';
/** The group of a release with no owning team, on every path that groups by team. */
export const NO_TEAM = '(no team)';

/**
 * Releases with the dimension's group (as `group`) and the tables that give it (as
 * `from`, release alias `r`). Written out per dimension, not as a joined CTE: SQLite
 * would otherwise join an unindexed, materialised list of every release against itself.
 * `releases` may name a narrower set of release rows (a CTE of the same columns).
 */
export function releasesGroupedBy(
  by: Dimension,
  releases: RawBuilder<unknown> = sql`releases`,
): {
  group: RawBuilder<string>;
  from: RawBuilder<unknown>;
} {
  const grouping: Record<Dimension, { group: RawBuilder<string>; from: RawBuilder<unknown> }> = {
    team: {
      group: sql<string>`coalesce(t.name, ${NO_TEAM})`,
      from: sql`${releases} r left join teams t on t.id = r.team_id`,
    },
    service: {
      group: sql<string>`s.name`,
      from: sql`${releases} r join release_services rs on rs.release_id = r.id
                join services s on s.id = rs.service_id`,
    },
    environment: {
      group: sql<string>`e.name`,
      // The pairs found from the releases' side, so a narrow `releases` reads only its
      // own deployments: as an EXISTS between releases and environments, PostgreSQL
      // made the pairs of every deployment first (no join clause links r and e). CROSS
      // JOIN keeps SQLite's loop over the releases outermost (it cannot tell a CTE's size).
      from: sql`${releases} r
                join (select distinct d.release_id, d.environment_id
                        from ${releases} rr cross join deployments d
                       where d.release_id = rr.id) de
                  on de.release_id = r.id
                join environments e on e.id = de.environment_id`,
    },
    class: { group: sql<string>`r.classification`, from: sql`${releases} r` },
  };
  return grouping[by];
}

/** Every deployment in range (production only unless grouping by environment). */
async function deploymentFacts(
  db: Db,
  range: MetricRange,
  by: Dimension,
): Promise<DeploymentFact[]> {
  const group: Record<Dimension, RawBuilder<string>> = {
    team: sql<string>`t.name`,
    service: sql<string>`s.name`,
    environment: sql<string>`e.name`,
    class: sql<string>`r.classification`,
  };
  const productionOnly = by === 'environment' ? sql`` : sql`and e.production = 1`;
  const rows = await sql<{
    grp: string;
    started_at: string;
    finished_at: string | null;
    status: string;
    release_created_at: string;
    caused: number;
    emergency: number;
  }>`
    select ${group[by]} as grp, d.started_at, d.finished_at, d.status,
           r.created_at as release_created_at,
           case when exists (select 1 from incident_deployments l where l.deployment_id = d.id)
                then 1 else 0 end as caused,
           case when r.classification = 'emergency' or r.change_type = 'emergency'
                then 1 else 0 end as emergency
      from environments e
      join deployments d on d.environment_id = e.id
      join releases r on r.id = d.release_id
      join services s on s.id = d.service_id
      join teams t on t.id = s.team_id
     where d.started_at >= ${range.since} and d.started_at < ${range.until} ${productionOnly}`.execute(
    db,
  );
  return rows.rows.map((r) => ({
    group: r.grp,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    releaseCreatedAt: r.release_created_at,
    causedIncident: Number(r.caused) === 1,
    emergency: Number(r.emergency) === 1,
  }));
}

/** Incidents that started in range. */
async function incidentFacts(db: Db, range: MetricRange, by: Dimension): Promise<IncidentFact[]> {
  // An incident happens on a service; its environment and release class are those of
  // the first deployment linked as its cause, if any.
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
  const rows = await sql<{
    grp: string;
    severity: number;
    started_at: string;
    detected_at: string;
    resolved_at: string | null;
  }>`
    select ${group[by]} as grp, i.severity, i.started_at, i.detected_at, i.resolved_at
      from incidents i
      join services s on s.id = i.service_id
      join teams t on t.id = s.team_id
     where i.started_at >= ${range.since} and i.started_at < ${range.until}`.execute(db);
  return rows.rows.map((r) => ({
    group: r.grp,
    severity: Number(r.severity),
    startedAt: r.started_at,
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at,
  }));
}

/** Releases raised in range, or that ended in range. */
async function releaseFacts(db: Db, range: MetricRange, by: Dimension): Promise<ReleaseFact[]> {
  const { group, from } = releasesGroupedBy(by);
  const rows = await sql<{
    id: string;
    grp: string;
    created_at: string;
    state: string;
    state_changed_at: string;
    emergency: number;
    window_end: string | null;
    delivered_at: string | null;
  }>`
    select r.id, ${group} as grp, r.created_at, r.state, r.state_changed_at,
           case when r.classification = 'emergency' or r.change_type = 'emergency'
                then 1 else 0 end as emergency,
           r.window_end,
           (select max(d.finished_at) from deployments d
              join environments pe on pe.id = d.environment_id
             where d.release_id = r.id and pe.production = 1 and d.status = 'succeeded'
           ) as delivered_at
      from ${from}
     where (r.created_at >= ${range.since} and r.created_at < ${range.until})
        or (r.state_changed_at >= ${range.since} and r.state_changed_at < ${range.until})`.execute(
    db,
  );
  return rows.rows.map((r) => ({
    id: r.id,
    group: r.grp,
    createdAt: r.created_at,
    state: r.state,
    stateChangedAt: r.state_changed_at,
    emergency: Number(r.emergency) === 1,
    windowEnd: r.window_end,
    deliveredAt: r.delivered_at,
  }));
}

export async function loadMetricFacts(
  db: Db,
  range: MetricRange,
  by: Dimension,
): Promise<MetricFacts> {
  const facts = {
    deployments: await deploymentFacts(db, range, by),
    incidents: await incidentFacts(db, range, by),
    releases: await releaseFacts(db, range, by),
  };
  return facts;
}
