#!/usr/bin/env node
// Runs every test file (unit tests beside the code, end-to-end suites under test/) with
// Node's own test runner; TypeScript is loaded through tsx. Arguments narrow the set to
// files whose path contains one of them.
//
// Suites under test/soak/ run for minutes (sustained load, long fault runs), so the
// default run leaves them out to keep CI inside its budget. `--soak` (`npm run test:soak`)
// runs only them, or those of them matching further arguments.
//
// Suites named `*.alone.test.ts` disturb what every other suite shares (they restart the
// PostgreSQL server), so they run after the others, one at a time.
//
// The run has a name (GATEHOUSE_TEST_RUN): suites that read the demo organisation copy
// one loaded once per run (test/support/demo-store.ts), and the run drops those copies'
// templates when it ends.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const roots = ['src', 'test'];
const args = process.argv.slice(2);
const soak = args.includes('--soak');
const filters = args.filter((a) => a !== '--soak');
const SOAK_DIR = `test${sep}soak${sep}`;

function walk(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = roots
  .flatMap((root) => walk(root))
  .filter((file) => file.includes(SOAK_DIR) === soak)
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

if (files.length === 0) {
  console.error(`no ${soak ? 'soak ' : ''}test files match ${filters.join(', ')}`);
  process.exit(2);
}

const runTests = (selected, concurrency) =>
  selected.length === 0
    ? 0
    : (spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--test',
          '--test-reporter=spec',
          `--test-concurrency=${concurrency}`,
          ...selected,
        ],
        { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', GATEHOUSE_TEST_RUN: run } },
      ).status ?? 1);

const run = randomBytes(4).toString('hex');

/** Drops the demo templates this run made (test/support/demo-store.ts names them). */
async function dropRunTemplates() {
  const prefix = `gatehouse_demo_${run}_`;
  for (const name of readdirSync(tmpdir()))
    if (name.startsWith(prefix)) rmSync(join(tmpdir(), name), { force: true });
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    connectionTimeoutMillis: 20_000,
  });
  try {
    await client.connect();
    const { rows } = await client.query(
      'select datname from pg_database where starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows)
      await client.query(`drop database if exists ${datname} with (force)`);
  } catch {
    // No PostgreSQL (its suites were skipped, loudly), so no templates on it either.
  } finally {
    await client.end().catch(() => undefined);
  }
}

const alone = (file) => file.endsWith('.alone.test.ts');
// Three files at a time on two cores: many suites spend their time waiting on child
// processes, PostgreSQL or a scheduler's sweep rather than computing.
const together = runTests(
  files.filter((file) => !alone(file)),
  3,
);
const apart = runTests(files.filter(alone), 1);
await dropRunTemplates();
process.exit(together || apart);
