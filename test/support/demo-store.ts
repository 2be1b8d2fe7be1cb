/**
 * A scratch store holding the demo organisation, for suites that read its history (the
 * DORA, Four Keys and failure-model suites). Loading the demo replays a year of releases
 * through the use cases: tens of seconds per engine, the same every time for one clock.
 * So under scripts/run-tests.mjs (which names the run in GATEHOUSE_TEST_RUN) it is loaded
 * once per engine and clock and each suite gets a copy: a PostgreSQL database made with
 * `CREATE DATABASE … TEMPLATE`, a copy of the SQLite file. The run drops the templates
 * when it ends. A suite run on its own loads the demo into its scratch store itself.
 *
 * test/demo.test.ts does not use this: loading the demo is what it checks.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { loadDemoOrganisation } from '../../src/app/demo/loadDemoOrganisation.js';
import { openStore } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { POSTGRES_ADMIN_URL, withDatabase, type Scratch, type TestEngine } from './engines.js';

/** The prefix of every template's name; scripts/run-tests.mjs drops its run's. */
export const DEMO_TEMPLATE_PREFIX = 'gatehouse_demo_';

/** Migrates the store at `url` and loads the demo organisation into it as of `now`. */
async function loadDemoInto(url: string, now: Date): Promise<void> {
  const store = openStore(url);
  try {
    await migrateToLatest(store);
    const loaded = await loadDemoOrganisation({ store, clock: () => now });
    if (!loaded.loaded) throw new Error(`the demo was not loaded into a fresh store at ${url}`);
  } finally {
    await store.close();
  }
}

export async function demoScratch(engine: TestEngine, now: Date): Promise<Scratch> {
  const run = process.env.GATEHOUSE_TEST_RUN;
  if (!run || !/^[a-z0-9]{1,16}$/.test(run)) {
    const scratch = await engine.scratch();
    await loadDemoInto(scratch.url, now);
    return scratch;
  }
  const template = `${DEMO_TEMPLATE_PREFIX}${run}_${now.getTime().toString(36)}`;
  return engine.name === 'postgres' ? postgresCopy(template, now) : sqliteCopy(template, now);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function postgresCopy(template: string, now: Date): Promise<Scratch> {
  // Suites running at the same time queue on a session lock; the first builds the
  // template under another name and renames it when whole, so a builder that dies
  // leaves nothing a later suite would copy.
  await admin(async (client) => {
    await client.query('select pg_advisory_lock(hashtext($1))', [template]);
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [template]);
      if (found.rowCount) return;
      const building = `${template}_b`;
      await client.query(`drop database if exists ${building} with (force)`);
      await client.query(`create database ${building}`);
      await loadDemoInto(withDatabase(POSTGRES_ADMIN_URL, building), now);
      await client.query(`alter database ${building} rename to ${template}`);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  const database = `gatehouse_t_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${database} template ${template}`));
  return {
    url: withDatabase(POSTGRES_ADMIN_URL, database),
    drop: async () => {
      await admin((client) => client.query(`drop database if exists ${database} with (force)`));
    },
  };
}

async function sqliteCopy(template: string, now: Date): Promise<Scratch> {
  const file = join(tmpdir(), `${template}.db`);
  const lock = `${file}.lock`;
  // A lock file made with O_EXCL: the first suite builds, the others wait for the file.
  // A lock left by a builder that died is not waited on forever: after ten minutes the
  // waiting suite fails, naming the file to remove.
  const giveUp = Date.now() + 600_000;
  while (!existsSync(file)) {
    let held: number | undefined;
    try {
      held = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > giveUp) throw new Error(`waited ten minutes for ${lock} to go`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (existsSync(file)) break;
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-build-'));
      try {
        const building = join(dir, 'gatehouse.db');
        await loadDemoInto(`sqlite:${building}`, now);
        // Everything into the main file, so that copying the file alone copies it all.
        const db = new SQLite(building);
        const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
        db.close();
        if (checkpoint?.busy !== 0 || statSync(`${building}-wal`, { throwIfNoEntry: false })?.size)
          throw new Error(`${building}: the write-ahead log could not be checkpointed`);
        renameSync(building, file);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      closeSync(held);
      rmSync(lock, { force: true });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  copyFileSync(file, join(dir, 'gatehouse.db'));
  return {
    url: `sqlite:${join(dir, 'gatehouse.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
