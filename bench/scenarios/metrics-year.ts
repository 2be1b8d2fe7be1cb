/**
 * Every delivery metric over a year with 1,000,000 deployments, 50,000 incidents and
 * 200 services, on one engine. The history is generated and bulk-inserted straight into
 * the tables (the one place allowed to bypass the use cases: replaying a million
 * deployments through them would measure the audit chain, not the metrics).
 *
 * Shape: 250,000 single-service releases from 10 teams, each deployed to sit, uat,
 * pre-prod and prod (so 250,000 production deployments), about 8 % failing or rolled
 * back in production, 5 % emergencies; a third of the incidents linked to the
 * production deployment that caused them.
 *
 * Measured (ADR 2300-1): the one-off computation of the stored day aggregates after the
 * import, per dimension (the import marks every day stale); the summary request a user
 * makes (refresh check, then read), best of three, per dimension; and the first request
 * of each dimension after a few writes, which recomputes only the days they marked.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { query, SYSTEM_ACTOR, type App } from '../../src/app/context.js';
import { postReleaseControlCharts } from '../../src/app/metrics/controlCharts.js';
import { doraMetrics } from '../../src/app/metrics/doraMetrics.js';
import { refreshMetricDays } from '../../src/app/metrics/refreshMetricDays.js';
import { DIMENSIONS, type Dimension } from '../../src/domain/metrics/range.js';
import { mulberry32 } from '../../src/app/demo/random.js';
import { openStore } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';

const SINCE = Date.parse('2025-01-01T00:00:00Z');
const UNTIL = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const ENVIRONMENTS = ['sit', 'uat', 'pre-prod', 'prod'] as const;

const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();

/** Inserts in batches small enough for both engines' bound-parameter limits. */
async function insertAll<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: Array<Record<string, unknown>>,
): Promise<void> {
  if (rows.length === 0) return;
  const perBatch = Math.floor(30_000 / Object.keys(rows[0]!).length);
  for (let i = 0; i < rows.length; i += perBatch)
    await db
      .insertInto(table)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are built to the table's shape above
      .values(rows.slice(i, i + perBatch) as any)
      .execute();
}

export interface MetricsBenchScale {
  deployments: number;
  incidents: number;
  services: number;
}

export const FULL_SCALE: MetricsBenchScale = {
  deployments: 1_000_000,
  incidents: 50_000,
  services: 200,
};

export async function generate(db: Kysely<Database>, scale: MetricsBenchScale): Promise<void> {
  const random = mulberry32(7);
  const created = iso(SINCE - 30 * 24 * HOUR);
  const teams = Array.from({ length: 10 }, (_, i) => ({
    id: randomUUID(),
    name: `team-${i}`,
    display_name: `Team ${i}`,
    time_zone: 'UTC',
    created_at: created,
    updated_at: created,
  }));
  const services = Array.from({ length: scale.services }, (_, i) => ({
    id: randomUUID(),
    name: `service-${i}`,
    team_id: teams[i % teams.length]!.id,
    tier: 1 + (i % 4),
    customer_facing: i % 2,
    data_sensitivity: 'internal',
    description: '',
    slos: '[]',
    created_at: created,
    updated_at: created,
  }));
  const environments = ENVIRONMENTS.map((name, i) => ({
    id: randomUUID(),
    name,
    display_name: name,
    position: i + 1,
    production: name === 'prod' ? 1 : 0,
    regions: '[]',
    capacity: null,
    created_at: created,
    updated_at: created,
  }));
  await insertAll(db, 'teams', teams);
  await insertAll(db, 'services', services);
  await insertAll(db, 'environments', environments);

  const releases: Array<Record<string, unknown>> = [];
  const carried: Array<Record<string, unknown>> = [];
  const deployments: Array<Record<string, unknown>> = [];
  const productionByService = new Map<number, Array<{ id: string; finished: number }>>();
  const releaseCount = Math.floor(scale.deployments / ENVIRONMENTS.length);
  for (let r = 0; r < releaseCount; r++) {
    const s = Math.floor(random() * services.length);
    const service = services[s]!;
    const createdAt = SINCE + random() * (UNTIL - SINCE);
    const emergency = random() < 0.05;
    // Lead time from an hour to about three weeks, most within days.
    const lead = emergency ? HOUR * (1 + random() * 6) : HOUR * Math.exp(random() * 6.2);
    const id = randomUUID();
    let at = createdAt;
    let outcome = 'succeeded';
    let prodFinished = 0;
    for (const [e, environment] of environments.entries()) {
      const isProd = environment.production === 1;
      at = isProd ? createdAt + lead : at + (lead / 4) * random();
      const duration = (5 + random() * 55) * MIN;
      const failed = isProd && random() < 0.08;
      const status = failed ? (random() < 0.5 ? 'failed' : 'rolled-back') : 'succeeded';
      const deploymentId = randomUUID();
      deployments.push({
        id: deploymentId,
        release_id: id,
        service_id: service.id,
        environment_id: environment.id,
        region: null,
        status,
        started_at: iso(at),
        finished_at: iso(at + duration),
        actor_id: 'system',
        notes: '',
        created_at: iso(at),
        updated_at: iso(at + duration),
      });
      if (isProd) {
        outcome = status;
        prodFinished = at + duration;
        const list = productionByService.get(s) ?? [];
        list.push({ id: deploymentId, finished: prodFinished });
        productionByService.set(s, list);
      }
      void e;
    }
    const classification = emergency ? 'emergency' : random() < 0.2 ? 'major' : 'minor';
    releases.push({
      id,
      key: `REL-${r + 1}`,
      title: `Release ${r + 1}`,
      version: `1.${r}.0`,
      state: outcome === 'succeeded' ? 'closed' : outcome,
      classification,
      change_type: emergency ? 'emergency' : 'normal',
      strategy: 'rolling',
      scope: '{}',
      justification: '',
      rollback_plan: '',
      window_start: iso(createdAt + lead - HOUR),
      window_end: iso(createdAt + lead * (0.8 + random() * 0.6)),
      team_id: service.team_id,
      requester_id: 'system',
      revision: 1,
      created_at: iso(createdAt),
      updated_at: iso(prodFinished + HOUR),
      state_changed_at: iso(prodFinished + HOUR),
    });
    carried.push({ release_id: id, service_id: service.id, version: `1.${r}.0`, artifact: null });
  }
  await insertAll(db, 'releases', releases);
  await insertAll(db, 'release_services', carried);
  await insertAll(db, 'deployments', deployments);

  const incidents: Array<Record<string, unknown>> = [];
  const links: Array<Record<string, unknown>> = [];
  for (let i = 0; i < scale.incidents; i++) {
    const s = Math.floor(random() * services.length);
    const candidates = productionByService.get(s) ?? [];
    const cause =
      random() < 1 / 3 && candidates.length
        ? candidates[Math.floor(random() * candidates.length)]!
        : null;
    const started = cause
      ? cause.finished + random() * 3 * HOUR
      : SINCE + random() * (UNTIL - SINCE);
    const detected = started + (2 + random() * 60) * MIN;
    const resolved = random() < 0.97 ? detected + HOUR * Math.exp(random() * 4) : null;
    const id = randomUUID();
    incidents.push({
      id,
      key: `INC-${i + 1}`,
      title: `Incident ${i + 1}`,
      severity: 1 + Math.floor(random() * 4),
      service_id: services[s]!.id,
      started_at: iso(started),
      detected_at: iso(detected),
      acknowledged_at: iso(detected + 5 * MIN),
      resolved_at: resolved === null ? null : iso(resolved),
      source: 'api',
      external_id: null,
      reporter_id: 'system',
      revision: 1,
      created_at: iso(detected),
      updated_at: iso(detected),
    });
    if (cause)
      links.push({
        incident_id: id,
        deployment_id: cause.id,
        reason: 'bench',
        linked_by: 'system',
        linked_at: iso(detected),
      });
  }
  await insertAll(db, 'incidents', incidents);
  // One incident may name a deployment another already named: keep each pair once.
  const seen = new Set<string>();
  await insertAll(
    db,
    'incident_deployments',
    links.filter((l) => {
      const key = `${String(l.incident_id)}|${String(l.deployment_id)}`;
      return seen.has(key) ? false : (seen.add(key), true);
    }),
  );
}

/** Ten production deployments on ten days and two incident links, straight into the tables. */
async function writeAFew(db: Kysely<Database>): Promise<number> {
  const sample = await db
    .selectFrom('deployments as d')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .selectAll('d')
    .where('e.production', '=', 1)
    .orderBy('d.id')
    .limit(10)
    .execute();
  await insertAll(
    db,
    'deployments',
    sample.map((d, n) => {
      const at = SINCE + (n * 36 + 3) * 24 * HOUR;
      return { ...d, id: randomUUID(), started_at: iso(at), finished_at: iso(at + 20 * MIN) };
    }),
  );
  const incidents = await db.selectFrom('incidents').select('id').orderBy('id').limit(2).execute();
  await insertAll(
    db,
    'incident_deployments',
    incidents.map((i, n) => ({
      incident_id: i.id,
      deployment_id: sample[n]!.id,
      reason: 'bench',
      linked_by: 'system',
      linked_at: iso(UNTIL - HOUR),
    })),
  );
  const marks = await db.selectFrom('metric_dirty_days').select('day').execute();
  return marks.length;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

export async function metricsYear(
  engine: 'sqlite' | 'postgres',
  url: string,
  log: (line: string) => void,
  scale: MetricsBenchScale = FULL_SCALE,
): Promise<Record<string, number>> {
  const store = openStore(url);
  try {
    await migrateToLatest(store);
    const load = await timed(() => generate(store.db, scale));
    // Fresh planner statistics and (PostgreSQL) visibility map, as autovacuum or SQLite's
    // `optimize` would give: without the map every index-only scan still visits the heap.
    await sql`analyze`.execute(store.db);
    if (engine === 'postgres') await sql`vacuum`.execute(store.db);
    log(
      `${engine}: generated ${scale.deployments.toLocaleString('en')} deployments, ${scale.incidents.toLocaleString('en')} incidents, ${scale.services} services in ${(load.ms / 1000).toFixed(1)} s`,
    );
    const app: App = { store, clock: () => new Date(UNTIL) };
    const range = { since: new Date(SINCE).toISOString(), until: new Date(UNTIL).toISOString() };
    const figures: Record<string, number> = { loadSeconds: load.ms / 1000 };
    // What the HTTP route does: bring the range's stored days up to date, then read.
    const request = async (by: Dimension) => {
      await refreshMetricDays(app, SYSTEM_ACTOR, { ...range, by });
      return query(app, SYSTEM_ACTOR, (ctx) => doraMetrics(ctx, { ...range, by, bucket: 'week' }));
    };
    // After the import, every day is marked: the one-off computation of the stored days
    // (ADR 2300-1), per dimension, as a product would run after an import.
    for (const by of DIMENSIONS) {
      const refresh = await timed(() => refreshMetricDays(app, SYSTEM_ACTOR, { ...range, by }));
      figures[`refresh_after_import_${by}_s`] = refresh.ms / 1000;
      log(
        `${engine}: stored days computed after the import, by ${by.padEnd(11)} ${(refresh.ms / 1000).toFixed(1).padStart(6)} s (one-off; ${refresh.result.refreshed} days)`,
      );
    }
    await sql`analyze`.execute(store.db);
    // The first run warms caches; the figure is the best of the next three.
    for (const by of DIMENSIONS) {
      await request(by);
      const times: number[] = [];
      let groups = 0;
      for (let i = 0; i < 3; i++) {
        const { ms, result } = await timed(() => request(by));
        times.push(ms);
        groups = result.groups.length;
      }
      figures[`dora_by_${by}_ms`] = Math.min(...times);
      log(
        `${engine}: full DORA summary by ${by.padEnd(11)} ${Math.min(...times)
          .toFixed(0)
          .padStart(
            6,
          )} ms (best of 3; ${groups} groups)${by === 'team' ? `   target < 1000 ms: ${Math.min(...times) < 1000 ? 'MET' : 'NOT MET'}` : ''}`,
      );
    }
    // A few writes land (deployments on ten days, two incidents linked): the next
    // request of each dimension recomputes the marked days, then reads.
    const marked = await writeAFew(store.db);
    for (const by of DIMENSIONS) {
      const { ms } = await timed(() => request(by));
      figures[`dora_by_${by}_after_writes_ms`] = ms;
      log(
        `${engine}: full DORA summary by ${by.padEnd(11)} ${ms.toFixed(0).padStart(6)} ms (first request after writes marking ${marked} days)`,
      );
    }
    const charts = await timed(() =>
      query(app, SYSTEM_ACTOR, (ctx) =>
        postReleaseControlCharts(ctx, { ...range, bucket: 'week' }),
      ),
    );
    figures.control_charts_ms = charts.ms;
    log(
      `${engine}: control charts (p, u, 2 × XmR, weekly)  ${charts.ms.toFixed(0).padStart(6)} ms; signals: ${charts.result.changeFailures.signals.length} p, ${charts.result.postReleaseDefects.signals.length} u`,
    );
    return figures;
  } finally {
    await store.close();
  }
}
