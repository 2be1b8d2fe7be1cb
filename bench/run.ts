/**
 * `npm run bench`: prints the figures the issues' targets are judged by. Each scenario
 * runs its servers in separate processes so the load generator does not share their
 * event loop. Results are also written to bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { apiThroughput } from './scenarios/api-throughput.js';
import { uiReleasePage } from './scenarios/ui-release-page.js';

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

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

log(
  `Gatehouse benchmarks on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`,
);
const results: Record<string, unknown> = {};

if (wanted('api')) {
  log('\n== API throughput (autocannon, 50 connections, 8 s each) ==');
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

if (wanted('ui')) {
  log('\n== Web UI: release page in Chromium (SQLite) ==');
  results.uiReleasePage = await uiReleasePage(log);
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(results, null, 2));
