/**
 * Opens the store: one Kysely instance over better-sqlite3 (the embedded default) or
 * pg (production). Everything above this file speaks Kysely and the small `Store`
 * interface; the two engines differ only in what is behind it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** A description safe to print (no password). */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * What use cases query through: the transaction `execute` opened for them. Typed as the
 * Kysely interface both a transaction and the pool share, so repositories serve both.
 */
export type Tx = Kysely<Database>;

// PostgreSQL's int8 (bigint, count(*)) arrives as a string by default; our counts and
// sequence numbers stay far below 2^53, so numbers are the honest type.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export function parseDatabaseUrl(url: string): { engine: Engine; target: string } {
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: 'postgres', target: url };
  if (url.startsWith('sqlite:')) return { engine: 'sqlite', target: url.slice('sqlite:'.length) };
  throw new Error(
    `DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got '${redact(url)}')`,
  );
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export function openStore(url: string, options: { poolSize?: number } = {}): Store {
  const { engine, target } = parseDatabaseUrl(url);
  if (engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: target, max: options.poolSize ?? 10 });
    // An idle client's error (e.g. the server restarting) must not crash the process;
    // the next query on a fresh client reports it.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine, location: redact(target), close: () => db.destroy() };
  }
  if (target !== ':memory:') mkdirSync(dirname(resolve(target)), { recursive: true });
  const database = new SQLite(target);
  database.pragma('journal_mode = WAL');
  // FULL makes every commit durable across power loss, not only across a crash.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, engine, location: `sqlite:${target}`, close: () => db.destroy() };
}

/**
 * Serialises writers of the audit chain. SQLite needs nothing: one connection, and its
 * write lock covers the transaction. PostgreSQL takes a transaction-scoped advisory lock,
 * so replicas append one after another and the chain never forks.
 */
export async function lockAuditChain(tx: Tx, engine: Engine): Promise<void> {
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(7240917311)`.execute(tx);
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

const RETRYABLE = new Set(['40001', '40P01']);

/** Runs `work` in one transaction; retries PostgreSQL serialisation failures and deadlocks. */
export async function inTransaction<T>(store: Store, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt < 4 && typeof code === 'string' && RETRYABLE.has(code)) continue;
      throw error;
    }
  }
}
