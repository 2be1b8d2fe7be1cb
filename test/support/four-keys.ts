/**
 * A second, deliberately simple computation of the four keys: plain SQL in the style of
 * the Four Keys project's dashboards (count, count distinct, the middle row of an
 * ordered list), one query per number, nothing shared with src/domain/metrics or
 * src/store/metrics.ts. Tests require both to agree.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

type Db = Kysely<Database>;
type Engine = 'sqlite' | 'postgres';

export interface FourKeys {
  deployments: number;
  deploymentDays: number;
  medianLeadTimeMs: number | null;
  finishedDeployments: number;
  failedDeployments: number;
  medianTimeToRestoreMs: number | null;
}

/** Milliseconds between two ISO text instants, rounded to the second the data holds. */
function millisBetween(engine: Engine, later: string, earlier: string) {
  return engine === 'sqlite'
    ? sql.raw(
        `cast(round((julianday(${later}) - julianday(${earlier})) * 86400) as integer) * 1000`,
      )
    : sql.raw(
        `cast(round(extract(epoch from (${later}::timestamptz - ${earlier}::timestamptz))) as bigint) * 1000`,
      );
}

/** The median of a one-column query, by ORDER BY … LIMIT … OFFSET: no statistics at all. */
async function median(
  db: Db,
  values: ReturnType<typeof sql>,
  count: number,
): Promise<number | null> {
  if (count === 0) return null;
  const offset = Math.floor((count - 1) / 2);
  const take = count % 2 === 1 ? 1 : 2;
  const rows = await sql<{
    v: number;
  }>`select v from (${values}) as x order by v limit ${take} offset ${offset}`.execute(db);
  const middle = rows.rows.map((r) => Number(r.v));
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

export async function fourKeysByTeam(
  db: Db,
  engine: Engine,
  since: string,
  until: string,
): Promise<Map<string, FourKeys>> {
  const teams = await sql<{ name: string }>`select name from teams order by name`.execute(db);
  const result = new Map<string, FourKeys>();
  for (const { name: team } of teams.rows) {
    const production = sql`
      from deployments d
      join environments e on e.id = d.environment_id
      join services s on s.id = d.service_id
      join teams t on t.id = s.team_id
      join releases r on r.id = d.release_id
     where e.production = 1 and t.name = ${team}
       and d.started_at >= ${since} and d.started_at < ${until}`;
    const deployed = (
      await sql<{ n: number; days: number }>`
        select count(*) as n, count(distinct substr(d.started_at, 1, 10)) as days ${production}
           and d.status = 'succeeded' and d.finished_at is not null`.execute(db)
    ).rows[0]!;
    const leadTimes = sql`select ${millisBetween(engine, 'd.finished_at', 'r.created_at')} as v ${production}
           and d.status = 'succeeded' and d.finished_at is not null`;
    const failures = (
      await sql<{ n: number; failed: number }>`
        select count(*) as n,
               coalesce(sum(case when d.status in ('failed', 'rolled-back')
                                   or d.id in (select deployment_id from incident_deployments)
                                 then 1 else 0 end), 0) as failed
          ${production} and d.status <> 'started' and d.finished_at is not null`.execute(db)
    ).rows[0]!;
    const restored = sql`
      select ${millisBetween(engine, 'i.resolved_at', 'i.started_at')} as v
        from incidents i
        join services s on s.id = i.service_id
        join teams t on t.id = s.team_id
       where t.name = ${team} and i.resolved_at is not null
         and i.started_at >= ${since} and i.started_at < ${until}`;
    const resolvedCount = (
      await sql<{ n: number }>`select count(*) as n from (${restored}) as x`.execute(db)
    ).rows[0]!;
    result.set(team, {
      deployments: Number(deployed.n),
      deploymentDays: Number(deployed.days),
      medianLeadTimeMs: await median(db, leadTimes, Number(deployed.n)),
      finishedDeployments: Number(failures.n),
      failedDeployments: Number(failures.failed),
      medianTimeToRestoreMs: await median(db, restored, Number(resolvedCount.n)),
    });
  }
  return result;
}
