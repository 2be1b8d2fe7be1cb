/**
 * The year of delivery history the metrics benches read: generated from the demo's seeded
 * generator and bulk-loaded straight into the tables (the one place allowed to bypass the
 * use cases: replaying a million deployments through them would measure the audit chain,
 * not the metrics).
 *
 * Shape: single-service releases from 10 teams, each deployed to sit, uat, pre-prod and
 * prod (a quarter of the deployments in production), about 8 % failing or rolled back in
 * production, 5 % emergencies; a third of the incidents linked to the production
 * deployment that caused them.
 *
 * The load goes through one prepared statement in large transactions (SQLite) or one
 * multi-row statement per 10,000 rows fed as JSON (PostgreSQL), with the stale-day
 * triggers of migration 0020 dropped while it runs and recreated after it. That is exact
 * only into an empty store: no day is computed yet, so every day of the history is stale
 * whether marked or not, and the first request computes each one (ADR 2800-1).
 */
import { randomUUID } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { mulberry32 } from '../../src/app/demo/random.js';
import { parseDatabaseUrl, type Store } from '../../src/store/database.js';
import { createTriggers, dropTriggers } from '../../src/store/migrations/0020_metric_days.js';
import { markAtCommit } from '../../src/store/migrations/0027_dirty_day_marks_at_commit.js';

export const SINCE = Date.parse('2025-01-01T00:00:00Z');
export const UNTIL = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
export const HOUR = 60 * MIN;
const ENVIRONMENTS = ['sit', 'uat', 'pre-prod', 'prod'] as const;
/** Releases generated (and written, with their deployments) at a time: bounds memory. */
const RELEASES_PER_CHUNK = 10_000;

export const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();

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

type Row = Record<string, string | number | null>;

/** Where generated rows go: rows of one table, all with the same columns. */
interface RowSink {
  insert(table: string, rows: Row[]): Promise<void>;
  close(): Promise<void>;
}

/** One prepared statement per table, run in one transaction per call. */
function sqliteSink(file: string): RowSink {
  const db = new Sqlite(file);
  db.pragma('busy_timeout = 10000');
  // A scratch database: losing it to a crash mid-load costs nothing but the run.
  db.pragma('synchronous = off');
  const statements = new Map<string, Sqlite.Statement>();
  return {
    async insert(table, rows) {
      if (!rows.length) return;
      const columns = Object.keys(rows[0]!);
      const key = `${table}(${columns.join(',')})`;
      let statement = statements.get(key);
      if (!statement) {
        statement = db.prepare(
          `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
        );
        statements.set(key, statement);
      }
      const run = statement;
      db.transaction(() => {
        for (const row of rows) run.run(row);
      })();
    },
    async close() {
      db.close();
    },
  };
}

/**
 * One statement per 10,000 rows: the rows as one JSON parameter, turned into the table's
 * row type by `json_populate_recordset` (so every column keeps its declared type).
 */
function postgresSink(url: string): RowSink {
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  return {
    async insert(table, rows) {
      if (!rows.length) return;
      await connected;
      const columns = Object.keys(rows[0]!).join(', ');
      for (let i = 0; i < rows.length; i += 10_000)
        await client.query(
          `insert into ${table} (${columns})
           select ${columns} from json_populate_recordset(null::${table}, $1::json)`,
          [JSON.stringify(rows.slice(i, i + 10_000))],
        );
    },
    async close() {
      await connected;
      await client.end();
    },
  };
}

/**
 * Generates the history and bulk-loads it into an empty, migrated store. The triggers
 * are dropped for the load and recreated after it (see the file's comment); throws if a
 * day is already computed, where that would not be exact.
 */
export async function loadHistory(
  store: Store,
  url: string,
  scale: MetricsBenchScale,
): Promise<void> {
  const computed = await store.db
    .selectFrom('metric_computed_days')
    .select('day')
    .limit(1)
    .execute();
  if (computed.length)
    throw new Error('the bulk load bypasses the stale-day triggers: only into an empty store');
  const { engine, target } = parseDatabaseUrl(url);
  await dropTriggers(store.db, engine);
  const sink = engine === 'postgres' ? postgresSink(target) : sqliteSink(target);
  try {
    await generate(sink, scale);
  } finally {
    await sink.close();
    await createTriggers(store.db, engine);
    await markAtCommit(store.db, engine);
  }
}

async function generate(sink: RowSink, scale: MetricsBenchScale): Promise<void> {
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
  await sink.insert('teams', teams);
  await sink.insert('services', services);
  await sink.insert('environments', environments);

  let releases: Row[] = [];
  let carried: Row[] = [];
  let deployments: Row[] = [];
  const flush = async () => {
    await sink.insert('releases', releases);
    await sink.insert('release_services', carried);
    await sink.insert('deployments', deployments);
    releases = [];
    carried = [];
    deployments = [];
  };
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
    for (const environment of environments) {
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
    if (releases.length === RELEASES_PER_CHUNK) await flush();
  }
  await flush();

  const incidents: Row[] = [];
  const links: Row[] = [];
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
    // Several incidents may name one deployment; each incident names at most one.
    if (cause)
      links.push({
        incident_id: id,
        deployment_id: cause.id,
        reason: 'bench',
        linked_by: 'system',
        linked_at: iso(detected),
      });
  }
  await sink.insert('incidents', incidents);
  await sink.insert('incident_deployments', links);
}
