/**
 * `npm run bench`: prints the figures the issues' targets are judged by. Each scenario
 * runs its servers in separate processes so the load generator does not share their
 * event loop. Results are also written to bench/results/latest.json, or for a run of
 * some scenarios only to latest-<scenarios>.json, so it does not replace a full run's.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { apiThroughput } from './scenarios/api-throughput.js';
import { evidenceParsing } from './scenarios/evidence-parsing.js';
import { gateChecks } from './scenarios/gate-checks.js';
import { canaryJudges } from './scenarios/canary.js';
import { nabHypercare } from './scenarios/nab-hypercare.js';
import { conflictDetection, riskModelFit } from './scenarios/calendar-risk.js';
import { FULL_SCALE, metricsYear } from './scenarios/metrics-year.js';
import { metricMarks } from './scenarios/metric-marks.js';
import { uiReleasePage } from './scenarios/ui-release-page.js';
import { requestMetrics } from './scenarios/request-metrics.js';
import { soak } from './scenarios/soak.js';

const log = (line: string) => process.stdout.write(line + '\n');
const POSTGRES = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function scratchPostgres(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const admin = new pg.Client({ connectionString: POSTGRES, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    log(`!! PostgreSQL at ${POSTGRES} unreachable: PostgreSQL figures SKIPPED`);
    return null;
  }
  const name = `gatehouse_bench_${Date.now()}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

const SCENARIOS = [
  'api',
  'gates',
  'evidence',
  'canary',
  'hypercare',
  'calendar',
  'risk',
  'metric-marks',
  'metrics',
  'ui',
  'request-metrics',
  'soak',
] as const;
const only = process.argv.slice(2);
const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown scenario ${unknown.join(', ')}; the scenarios are ${SCENARIOS.join(', ')}\n`,
  );
  process.exit(2);
}
const wanted = (name: (typeof SCENARIOS)[number]) => only.length === 0 || only.includes(name);

log(
  `Gatehouse benchmarks on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`,
);
const results: Record<string, unknown> = {};

if (wanted('api')) {
  log(
    '\n== API throughput (autocannon, 50 connections; bare and read in 5 s rounds, creates 8 s) ==',
  );
  results.apiSqlite = await apiThroughput('sqlite', undefined, log);
  const scratch = await scratchPostgres();
  if (scratch) {
    try {
      results.apiPostgres = await apiThroughput('postgres', scratch.url, log);
    } finally {
      await scratch.drop();
    }
  }
}

if (wanted('gates')) {
  log(
    '\n== Gate checks over HTTP (autocannon, 200 connections; rounds of 6 s beside a bare route) ==',
  );
  results.gatesSqlite = await gateChecks('sqlite', undefined, log);
  const scratch = await scratchPostgres();
  if (scratch) {
    try {
      results.gatesPostgres = await gateChecks('postgres', scratch.url, log);
    } finally {
      await scratch.drop();
    }
  }
}

if (wanted('evidence')) {
  log('\n== Evidence parsing: time and peak memory, each file in a fresh process ==');
  results.evidenceParsing = await evidenceParsing(log);
}

if (wanted('canary')) {
  log('\n== Canary judges on generated scenarios (seeded; fixed-horizon vs sequential) ==');
  results.canaryJudges = canaryJudges(log);
}

if (wanted('hypercare')) {
  log('\n== Hypercare regression detector on NAB real series (../shared/data/nab) ==');
  results.nabHypercare = nabHypercare(log);
}

if (wanted('calendar')) {
  log('\n== Calendar: conflict detection (in process) ==');
  results.calendarConflicts = conflictDetection(log);
}

if (wanted('risk')) {
  log('\n== Risk: failure model fit (in process) ==');
  results.riskModel = riskModelFit(log);
}

if (wanted('metric-marks')) {
  log('\n== What the stale-day triggers cost a write (ADR 2300-1) ==');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-marks-'));
  try {
    results.metricMarksSqlite = await metricMarks('sqlite', `sqlite:${join(dir, 'marks.db')}`, log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const scratch = await scratchPostgres();
  if (scratch) {
    try {
      results.metricMarksPostgres = await metricMarks('postgres', scratch.url, log);
    } finally {
      await scratch.drop();
    }
  }
}

if (wanted('metrics')) {
  // BENCH_METRICS_SCALE=0.1 for a quick look; the target is judged at full scale.
  const factor = Number(process.env.BENCH_METRICS_SCALE ?? 1);
  const scale = {
    deployments: Math.round(FULL_SCALE.deployments * factor),
    incidents: Math.round(FULL_SCALE.incidents * factor),
    services: FULL_SCALE.services,
  };
  log(
    `\n== Delivery metrics over a year (${scale.deployments.toLocaleString('en')} deployments, ${scale.incidents.toLocaleString('en')} incidents, ${scale.services} services${factor === 1 ? '' : `; ${factor} of the target scale`}) ==`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-metrics-'));
  try {
    results.metricsSqlite = await metricsYear(
      'sqlite',
      `sqlite:${join(dir, 'metrics.db')}`,
      log,
      scale,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const scratch = await scratchPostgres();
  if (scratch) {
    try {
      results.metricsPostgres = await metricsYear('postgres', scratch.url, log, scale);
    } finally {
      await scratch.drop();
    }
  }
}

if (wanted('ui')) {
  log('\n== Web UI: release page in Chromium (SQLite) ==');
  results.uiReleasePage = await uiReleasePage(log);
}

if (wanted('request-metrics')) {
  log('\n== Request metrics: CPU cost of the duration histogram per request (in process) ==');
  results.requestMetrics = await requestMetrics(log);
}

if (wanted('soak')) {
  // SOAK_MINUTES (default 10) and SOAK_RATE (default 100 req/s) per engine.
  log('\n== Sustained mixed load: latency per minute, server heap and RSS (issue 11) ==');
  results.soakSqlite = await soak('sqlite', undefined, log);
  const scratch = await scratchPostgres();
  if (scratch) {
    try {
      results.soakPostgres = await soak('postgres', scratch.url, log);
    } finally {
      await scratch.drop();
    }
  }
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = only.length === 0 ? 'latest.json' : `latest-${only.join('-')}.json`;
writeFileSync(new URL(`./results/${file}`, import.meta.url), JSON.stringify(results, null, 2));
log(`\nResults written to bench/results/${file}`);
