/**
 * The facts defect density is computed from (src/domain/metrics/defect-density.ts): per
 * release delivered to production in a range, when it was delivered, how many services it
 * changed and how many distinct incidents name one of its deployments as a cause. Set
 * based (one aggregate per table, joined), not a subquery per release; one code path for
 * both engines.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  DefectDensityDimension,
  ReleaseDefectFact,
} from '../domain/metrics/defect-density.js';
import type { MetricRange } from '../domain/metrics/range.js';
import { NO_TEAM } from './metrics.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

interface Row {
  id: string;
  grp: string;
  delivered_at: string;
  changed_services: number | string;
  defects: number | string;
}

// A release's delivery is its first successful production deployment's end; it is in
// range when that first one is. Deployments finishing after the range cannot be first.
const delivered = (range: MetricRange) => sql`delivered as (
    select d.release_id, min(d.finished_at) as delivered_at
      from deployments d
      join environments e on e.id = d.environment_id
     where e.production = 1 and d.status = 'succeeded' and d.finished_at < ${range.until}
     group by d.release_id
    having min(d.finished_at) >= ${range.since})`;

async function perRelease(
  db: Db,
  range: MetricRange,
  group: RawBuilder<string>,
  join: RawBuilder<unknown>,
): Promise<Row[]> {
  const rows = await sql<Row>`
    with ${delivered(range)},
    defects as (
      select d.release_id, count(distinct l.incident_id) as n
        from incident_deployments l
        join deployments d on d.id = l.deployment_id
        join delivered x on x.release_id = d.release_id
       group by d.release_id),
    sizes as (
      select rs.release_id, count(*) as n
        from release_services rs
        join delivered x on x.release_id = rs.release_id
       group by rs.release_id)
    select r.id, ${group} as grp, x.delivered_at,
           coalesce(z.n, 0) as changed_services, coalesce(f.n, 0) as defects
      from delivered x
      join releases r on r.id = x.release_id ${join}
      left join defects f on f.release_id = r.id
      left join sizes z on z.release_id = r.id
     order by x.delivered_at, r.id`.execute(db);
  return rows.rows;
}

/** By service: each service a release carries, with the incidents of that service's deployments. */
async function perService(db: Db, range: MetricRange): Promise<Row[]> {
  const rows = await sql<Row>`
    with ${delivered(range)},
    defects as (
      select d.release_id, d.service_id, count(distinct l.incident_id) as n
        from incident_deployments l
        join deployments d on d.id = l.deployment_id
        join delivered x on x.release_id = d.release_id
       group by d.release_id, d.service_id)
    select r.id, s.name as grp, x.delivered_at, 1 as changed_services,
           coalesce(f.n, 0) as defects
      from delivered x
      join releases r on r.id = x.release_id
      join release_services rs on rs.release_id = r.id
      join services s on s.id = rs.service_id
      left join defects f on f.release_id = r.id and f.service_id = rs.service_id
     order by x.delivered_at, r.id, s.name`.execute(db);
  return rows.rows;
}

const toFact = (r: Row): ReleaseDefectFact => ({
  release: r.id,
  group: r.grp,
  deliveredAt: r.delivered_at,
  changedServices: Number(r.changed_services),
  defects: Number(r.defects),
});

/** The releases delivered in range, by group, and once each for the overall figure. */
export async function loadReleaseDefectFacts(
  db: Db,
  range: MetricRange,
  by: DefectDensityDimension,
): Promise<{ groups: ReleaseDefectFact[]; overall: ReleaseDefectFact[] }> {
  const overall = await perRelease(db, range, sql<string>`'(all)'`, sql``);
  const groups =
    by === 'service'
      ? await perService(db, range)
      : by === 'team'
        ? await perRelease(
            db,
            range,
            sql<string>`coalesce(t.name, ${NO_TEAM})`,
            sql`left join teams t on t.id = r.team_id`,
          )
        : await perRelease(db, range, sql<string>`r.classification`, sql``);
  return { groups: groups.map(toFact), overall: overall.map(toFact) };
}
