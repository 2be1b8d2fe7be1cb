/** Reading and writing risk weights, the risk register and the release history the model learns from. */
import type { Kysely } from 'kysely';
import type { DataSensitivity } from '../domain/catalog.js';
import type {
  Classification,
  DeploymentStrategy,
  ReleaseFacts,
  ReleaseState,
} from '../domain/release.js';
import type { RiskEntry } from '../domain/risk/register.js';
import type { RiskWeights } from '../domain/risk/score.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export async function latestRiskWeights(
  db: Db,
): Promise<{ version: number; weights: RiskWeights; createdAt: string | null } | undefined> {
  const row = await db
    .selectFrom('risk_weights')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? {
        version: row.version,
        weights: JSON.parse(row.document) as RiskWeights,
        createdAt: row.created_at,
      }
    : undefined;
}

export async function listRiskEntries(db: Db, releaseId?: string): Promise<RiskEntry[]> {
  let query = db
    .selectFrom('release_risks')
    .innerJoin('releases', 'releases.id', 'release_risks.release_id')
    .select([
      'release_risks.id',
      'releases.key as release',
      'release_risks.risk',
      'release_risks.impact',
      'release_risks.probability',
      'release_risks.owner',
      'release_risks.mitigation',
      'release_risks.created_at as createdAt',
    ])
    .orderBy('release_risks.created_at')
    .orderBy('release_risks.id');
  if (releaseId) query = query.where('release_risks.release_id', '=', releaseId);
  return query.execute();
}

export interface HistoryRow {
  id: string;
  key: string;
  state: ReleaseState;
  classification: Classification;
  strategy: DeploymentStrategy;
  scopeItems: number;
  features: number;
  facts: ReleaseFacts;
  timeZone: string;
  deployAt: string;
  createdAt: string;
  services: Array<{
    name: string;
    tier: number;
    customerFacing: boolean;
    dataSensitivity: DataSensitivity;
  }>;
}

/**
 * Every release with what the score and the model need, oldest first; three queries.
 * With `ids`, only those releases (a page of the release list).
 */
export async function releaseHistory(db: Db, ids?: readonly string[]): Promise<HistoryRow[]> {
  if (ids?.length === 0) return [];
  const only = ids ? [...ids] : undefined;
  const [releases, services, deployments] = await Promise.all([
    db
      .selectFrom('releases')
      .leftJoin('teams', 'teams.id', 'releases.team_id')
      .select([
        'releases.id',
        'releases.key',
        'releases.state',
        'releases.classification',
        'releases.strategy',
        'releases.scope',
        'releases.risk_facts',
        'releases.window_start',
        'releases.created_at',
        'teams.time_zone',
      ])
      .$if(only !== undefined, (q) => q.where('releases.id', 'in', only!))
      .orderBy('releases.created_at')
      .orderBy('releases.id')
      .execute(),
    db
      .selectFrom('release_services')
      .innerJoin('services', 'services.id', 'release_services.service_id')
      .select([
        'release_services.release_id',
        'services.name',
        'services.tier',
        'services.customer_facing',
        'services.data_sensitivity',
      ])
      .$if(only !== undefined, (q) => q.where('release_services.release_id', 'in', only!))
      .orderBy('services.name')
      .execute(),
    db
      .selectFrom('deployments')
      .select(['release_id', (eb) => eb.fn.min('started_at').as('first_started')])
      .$if(only !== undefined, (q) => q.where('release_id', 'in', only!))
      .groupBy('release_id')
      .execute(),
  ]);
  const servicesOf = new Map<string, HistoryRow['services']>();
  for (const s of services)
    servicesOf.set(s.release_id, [
      ...(servicesOf.get(s.release_id) ?? []),
      {
        name: s.name,
        tier: s.tier,
        customerFacing: s.customer_facing === 1,
        dataSensitivity: s.data_sensitivity as DataSensitivity,
      },
    ]);
  const firstDeployment = new Map(deployments.map((d) => [d.release_id, d.first_started]));
  return releases.map((r) => {
    const scope = JSON.parse(r.scope) as { features?: string[]; fixes?: string[] };
    return {
      id: r.id,
      key: r.key,
      state: r.state as ReleaseState,
      classification: r.classification as Classification,
      strategy: r.strategy as DeploymentStrategy,
      features: scope.features?.length ?? 0,
      scopeItems: (scope.features?.length ?? 0) + (scope.fixes?.length ?? 0),
      facts: r.risk_facts ? (JSON.parse(r.risk_facts) as ReleaseFacts) : {},
      timeZone: r.time_zone ?? 'UTC',
      // The planned window is when production changes; earlier environments come days before.
      deployAt: String(r.window_start ?? firstDeployment.get(r.id) ?? r.created_at),
      createdAt: r.created_at,
      services: servicesOf.get(r.id) ?? [],
    };
  });
}

/**
 * Records that a release ended (closed, failed or rolled back), for each service it
 * carries: the rows `serviceHistoryBefore` counts. Called in the transaction of the
 * transition into the ended state; an ended release never changes state or services again.
 */
export async function recordReleaseOutcome(
  db: Db,
  releaseId: string,
  failed: boolean,
): Promise<void> {
  const flag = failed ? 1 : 0;
  await db
    .insertInto('service_outcomes')
    .columns(['service_id', 'release_created_at', 'release_id', 'failed'])
    .expression((eb) =>
      eb
        .selectFrom('release_services')
        .innerJoin('releases', 'releases.id', 'release_services.release_id')
        .select([
          'release_services.service_id',
          'releases.created_at',
          'releases.id',
          eb.val(flag).as('failed'),
        ])
        .where('release_services.release_id', '=', releaseId),
    )
    .execute();
  await db
    .insertInto('service_outcome_totals')
    .columns(['service_id', 'finished', 'failed'])
    .expression((eb) =>
      eb
        .selectFrom('release_services')
        .select(['service_id', eb.val(1).as('finished'), eb.val(flag).as('failed')])
        .where('release_id', '=', releaseId)
        // Rows locked in one order, so two releases ending at once cannot deadlock.
        .orderBy('service_id'),
    )
    .onConflict((oc) =>
      oc.column('service_id').doUpdateSet((eb) => ({
        finished: eb('service_outcome_totals.finished', '+', 1),
        failed: eb('service_outcome_totals.failed', '+', flag),
      })),
    )
    .execute();
}

/**
 * For each of these releases, the ended releases of its services raised before it (by
 * created_at, then id: the order of releaseHistory) and how many failed or were rolled
 * back, summed over its services: what scoreHistory counts. Each service's totals less
 * what ended among releases raised at or after the oldest of the page, so a page of
 * recent releases reads a few rows whatever the length of the history.
 */
export async function serviceHistoryBefore(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, { finished: number; failed: number }>> {
  if (ids.length === 0) return new Map();
  const mine = await db
    .selectFrom('release_services as mine')
    .innerJoin('releases as r', 'r.id', 'mine.release_id')
    .select(['mine.release_id', 'mine.service_id', 'r.created_at'])
    .where('mine.release_id', 'in', [...ids])
    .execute();
  if (mine.length === 0) return new Map();
  const services = [...new Set(mine.map((m) => m.service_id))];
  const oldest = mine.reduce((a, m) => (m.created_at < a ? m.created_at : a), mine[0]!.created_at);
  const [totals, later] = await Promise.all([
    db
      .selectFrom('service_outcome_totals')
      .selectAll()
      .where('service_id', 'in', services)
      .execute(),
    db
      .selectFrom('service_outcomes')
      .select(['service_id', 'release_created_at', 'release_id', 'failed'])
      .where('service_id', 'in', services)
      .where('release_created_at', '>=', oldest)
      .execute(),
  ]);
  type Outcome = (typeof later)[number];
  const before = (
    a: { release_created_at: string; release_id: string },
    b: { release_created_at: string; release_id: string },
  ) =>
    a.release_created_at < b.release_created_at ||
    (a.release_created_at === b.release_created_at && a.release_id < b.release_id);
  // Per service, its recent outcomes in history order, and the failures from each one on
  // (failedFrom[order.length] is 0).
  const byService = new Map<string, { order: Outcome[]; failedFrom: number[] }>();
  for (const row of later) {
    const entry = byService.get(row.service_id) ?? { order: [], failedFrom: [] };
    entry.order.push(row);
    byService.set(row.service_id, entry);
  }
  for (const entry of byService.values()) {
    entry.order.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    entry.failedFrom = new Array<number>(entry.order.length + 1).fill(0);
    for (let i = entry.order.length - 1; i >= 0; i--)
      entry.failedFrom[i] = entry.failedFrom[i + 1]! + Number(entry.order[i]!.failed);
  }
  const totalOf = new Map(totals.map((t) => [t.service_id, t]));
  const history = new Map<string, { finished: number; failed: number }>();
  for (const m of mine) {
    const total = totalOf.get(m.service_id);
    if (!total) continue;
    // The first of the service's recent outcomes at or after this release.
    const self = { release_created_at: m.created_at, release_id: m.release_id };
    const { order, failedFrom } = byService.get(m.service_id) ?? { order: [], failedFrom: [0] };
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(order[middle]!, self)) low = middle + 1;
      else high = middle;
    }
    const finished = Number(total.finished) - (order.length - low);
    if (finished === 0) continue;
    const counts = history.get(m.release_id) ?? { finished: 0, failed: 0 };
    counts.finished += finished;
    counts.failed += Number(total.failed) - failedFrom[low]!;
    history.set(m.release_id, counts);
  }
  return history;
}
