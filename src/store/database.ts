/**
 * Opens the store: Kysely over better-sqlite3 (the embedded default) or pg
 * (production). Everything above this file speaks Kysely and the `Store` interface; the
 * two engines differ only in what is behind it.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { GroupCommitter, openSqliteConnections } from './sqlite.js';

export type Engine = 'sqlite' | 'postgres';

/**
 * What use cases query through: the transaction `write` or `read` opened for them.
 * Typed as the Kysely interface a transaction and the pool share.
 */
export type Tx = Kysely<Database>;

export interface Store {
  readonly engine: Engine;
  /** A description safe to print (no password). */
  readonly location: string;
  /** The writing connection (SQLite) or the pool (PostgreSQL), for migrations and set-up. */
  readonly db: Kysely<Database>;
  /** Committed data only; never waits for a writer. */
  readonly reader: Kysely<Database>;
  /** Runs `work` in one transaction whose effects are durable when the promise resolves. */
  write<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs read-only `work` on committed data. On SQLite it is one snapshot (a WAL read
   * transaction). On PostgreSQL each statement sees what was committed when it started
   * (READ COMMITTED, which is what a read transaction there gave anyway) on a session
   * that refuses writes, so a read costs one round trip instead of three.
   */
  read<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

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

const RETRYABLE = new Set(['40001', '40P01']);

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (n < 4 && typeof code === 'string' && RETRYABLE.has(code)) continue;
      throw error;
    }
  }
}

export function openStore(url: string, options: { poolSize?: number } = {}): Store {
  const { engine, target } = parseDatabaseUrl(url);
  if (engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: target, max: options.poolSize ?? 10 });
    // An idle client's error (the server restarting) must not crash the process; the
    // next query on a fresh client reports it.
    pool.on('error', () => undefined);
    // A client checked out of the pool has no such listener (the pool removes it on
    // checkout), so the server ending the connection mid-transaction (57P01 on a restart,
    // pg_terminate_backend) raised an unhandled 'error' event and took the process down.
    // The query in flight is rejected either way, and the broken client is discarded.
    pool.on('connect', (client) => void client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const readPool = new pg.Pool({
      connectionString: target,
      max: options.poolSize ?? 10,
      options: '-c default_transaction_read_only=on',
    });
    readPool.on('error', () => undefined);
    readPool.on('connect', (client) => void client.on('error', () => undefined));
    const reader = new Kysely<Database>({ dialect: new PostgresDialect({ pool: readPool }) });
    return {
      engine,
      location: redact(target),
      db,
      reader,
      write: (work) => withRetries(() => db.transaction().execute(work)),
      read: (work) => work(reader),
      async close() {
        await reader.destroy();
        await db.destroy();
      },
    };
  }
  const { writer, reader } = openSqliteConnections(target);
  const committer = new GroupCommitter(writer);
  return {
    engine,
    location: `sqlite:${target}`,
    db: writer,
    reader,
    write: (work) => committer.run(work),
    read: (work) => reader.transaction().execute(work),
    async close() {
      await reader.destroy();
      if (reader !== writer) await writer.destroy();
    },
  };
}

/**
 * Serialises writers of the audit chain. SQLite needs nothing: one writer. PostgreSQL
 * takes a transaction-scoped advisory lock, so replicas append one after another and the
 * chain never forks.
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
