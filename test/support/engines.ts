/**
 * The storage engines every storage and HTTP suite runs on: SQLite in a temporary file,
 * and PostgreSQL in a database created for the suite and dropped after it. Without a
 * reachable PostgreSQL the PostgreSQL runs are skipped loudly; with CI=true they fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Scratch {
  url: string;
  /** Removes the database (or file) and everything in it. */
  drop(): Promise<void>;
}

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A reason to skip, or false. */
  skip: string | false;
  scratch(): Promise<Scratch>;
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    // A server that is not there refuses at once; a busy machine (CI running three suites
    // on two cores) can take seconds to start a backend, which is not "unreachable".
    connectionTimeoutMillis: 20_000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export const sqliteEngine: TestEngine = {
  name: 'sqlite',
  skip: false,
  async scratch() {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
    return {
      url: `sqlite:${join(dir, 'gatehouse.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

let postgres: Promise<TestEngine> | undefined;

export function postgresEngine(): Promise<TestEngine> {
  postgres ??= (async (): Promise<TestEngine> => {
    const unreachable = await postgresReachable();
    if (unreachable) {
      if (process.env.CI === 'true') {
        throw new Error(
          `CI=true but PostgreSQL at ${POSTGRES_ADMIN_URL} is unreachable: ${unreachable}`,
        );
      }
      const reason = `PostgreSQL at ${POSTGRES_ADMIN_URL} unreachable (${unreachable}): PostgreSQL suites SKIPPED`;
      console.warn(`\n${'!'.repeat(78)}\n!! ${reason}\n${'!'.repeat(78)}\n`);
      return { name: 'postgres', skip: reason, scratch: () => Promise.reject(new Error(reason)) };
    }
    return {
      name: 'postgres',
      skip: false,
      async scratch() {
        const database = `gatehouse_t_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await admin.connect();
        await admin.query(`create database ${database}`);
        await admin.end();
        return {
          url: withDatabase(POSTGRES_ADMIN_URL, database),
          async drop() {
            const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
            await client.connect();
            await client.query(`drop database if exists ${database} with (force)`);
            await client.end();
          },
        };
      },
    };
  })();
  return postgres;
}

/** Both engines, for `for (const engine of await engines())` at a suite's top level. */
export async function engines(): Promise<TestEngine[]> {
  return [sqliteEngine, await postgresEngine()];
}
