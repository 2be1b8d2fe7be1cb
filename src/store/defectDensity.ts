/**
 * The facts defect density is computed from (src/domain/metrics/defect-density.ts): per
 * release delivered to production in a range, when it was delivered, how many services it
 * changed and how many distinct incidents name one of its deployments as a cause. One
 * code path for both engines.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  DefectDensityDimension,
  ReleaseDefectFact,
} from '../domain/metrics/defect-density.js';
import type { MetricRange } from '../domain/metrics/range.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

const NO_TEAM = '(no team)';

// A release's delivery: its first successful production deployment's end.
const deliveredAt = sql<string>`(select min(d.finished_at) from deployments d
    join environments e on e.id = d.environment_id
   where d.release_id = r.id and e.production = 1 and d.status = 'succeeded'
     and d.finished_at is not null)`;

async function releaseRows(
  db: Db,
  range: MetricRange,
  shape: {
    group: RawBuilder<string>;
    from: RawBuilder<unknown>;
    changedServices: RawBuilder<number>;
    /** Narrows the linked deployments (by service: to that service's). */
    deploymentFilter: RawBuilder<unknown>;
  },
): Promise<ReleaseDefectFact[]> {
  const rows = await sql<{
    id: string;
    grp: string;
    delivered_at: string;
    changed_services: number | string;
    defects: number | string;
  }>`
    select * from (
      select r.id, ${shape.group} as grp, ${deliveredAt} as delivered_at,
             ${shape.changedServices} as changed_services,
             (select count(distinct l.incident_id) from incident_deployments l
                join deployments d on d.id = l.deployment_id
               where d.release_id = r.id ${shape.deploymentFilter}) as defects
        from ${shape.from}
    ) x
    where x.delivered_at >= ${range.since} and x.delivered_at < ${range.until}
    order by x.delivered_at, x.id`.execute(db);
  return rows.rows.map((r) => ({
    release: r.id,
    group: r.grp,
    deliveredAt: r.delivered_at,
    changedServices: Number(r.changed_services),
    defects: Number(r.defects),
  }));
}

const perRelease = (group: RawBuilder<string>, from: RawBuilder<unknown>) => ({
  group,
  from,
  changedServices: sql<number>`(select count(*) from release_services rs where rs.release_id = r.id)`,
  deploymentFilter: sql``,
});

/** The releases delivered in range, by group, and once each for the overall figure. */
export async function loadReleaseDefectFacts(
  db: Db,
  range: MetricRange,
  by: DefectDensityDimension,
): Promise<{ groups: ReleaseDefectFact[]; overall: ReleaseDefectFact[] }> {
  const overall = await releaseRows(db, range, perRelease(sql<string>`'(all)'`, sql`releases r`));
  if (by === 'service') {
    const groups = await releaseRows(db, range, {
      group: sql<string>`s.name`,
      from: sql`releases r join release_services rs on rs.release_id = r.id
                join services s on s.id = rs.service_id`,
      changedServices: sql<number>`1`,
      deploymentFilter: sql`and d.service_id = rs.service_id`,
    });
    return { groups, overall };
  }
  const groups = await releaseRows(
    db,
    range,
    by === 'team'
      ? perRelease(
          sql<string>`coalesce(t.name, ${NO_TEAM})`,
          sql`releases r left join teams t on t.id = r.team_id`,
        )
      : perRelease(sql<string>`r.classification`, sql`releases r`),
  );
  return { groups, overall };
}
