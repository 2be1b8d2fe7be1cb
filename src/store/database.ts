/**
 * Opens the store: Kysely over better-sqlite3 (the embedded default) or pg
 * (production). Everything above this file speaks Kysely and the `Store` interface; the
 * two engines differ only in what is behind it.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { prepareStatementsOn } from './prepared.js';
import { PostgresChangeMark } from './postgresChangeMark.js';
import { GroupCommitter, openSqliteConnections } from './sqlite.js';

export type Engine = 'sqlite' | 'postgres';

/**
 * What use cases query through: the transaction `write` or `read` opened for them.
 * Typed as the Kysely interface a transaction and the pool share.
 */
export type Tx = Kysely<Database>;

/** What `Store.changeMark` gives: equal marks, no commit between them. */
export type ChangeMark = number | string;

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
  /**
   * A value that changes whenever anything is committed to the database, by this process
   * or another: on SQLite a number, read in the same turn; on PostgreSQL the snapshot of
   * committed transactions, read by a round trip that began after the call (ADR 3200-1).
   * `null` where there is no such signal (an in-memory SQLite, an unreachable
   * PostgreSQL), and then no answer may be remembered across requests. Read it before
   * reading the data an answer is made of (ADR 2500-1).
   */
  changeMark(): ChangeMark | null | Promise<ChangeMark | null>;
  /**
   * Tells `listener` how long each flush of committed writes to stable storage took, in
   * seconds, where the store makes that flush itself: SQLite's group commit (an fdatasync
   * of the WAL, off the event loop; every write in the batch waits for it). PostgreSQL
   * flushes inside its own COMMIT and reports it in `pg_stat_wal`. Returns how to stop.
   */
  observeFlushes?(listener: (seconds: number) => void): () => void;
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

/** PostgreSQL's change mark (ADR 3200-1); `pg_current_snapshot` is in PostgreSQL 13 on. */
const CURRENT_SNAPSHOT = 'select pg_current_snapshot()::text as snapshot';

/**
 * Each new PostgreSQL connection: its errors are reported by the statement that meets
 * them, not as an unhandled event, and it runs the prepared texts as named statements.
 */
function setUpClient(client: pg.PoolClient): void {
  client.on('error', () => undefined);
  prepareStatementsOn(client);
}

export function openStore(url: string, options: { poolSize?: number } = {}): Store {
  const { engine, target } = parseDatabaseUrl(url);
  if (engine === 'postgres') {
    // Fixed-size pools (ADR 3100-1): an idle connection stays open, with the statements
    // it has prepared, instead of closing after 10 s and being opened and prepared again
    // at the next burst. They do not keep a process alive that has nothing else to do.
    const sizing = { max: options.poolSize ?? 10, idleTimeoutMillis: 0, allowExitOnIdle: true };
    const pool = new pg.Pool({ connectionString: target, ...sizing });
    // An idle client's error (the server restarting) must not crash the process; the
    // next query on a fresh client reports it.
    pool.on('error', () => undefined);
    // pg-pool listens for errors only on idle clients: a connection cut while a client is
    // checked out (PostgreSQL restarting between two statements of a transaction) would
    // be an unhandled 'error' event and end the process. The statement in progress, or
    // the next one, fails instead (503), and the pool discards the broken client.
    pool.on('connect', setUpClient);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const readPool = new pg.Pool({
      connectionString: target,
      ...sizing,
      options: '-c default_transaction_read_only=on',
    });
    readPool.on('error', () => undefined);
    readPool.on('connect', setUpClient);
    const reader = new Kysely<Database>({ dialect: new PostgresDialect({ pool: readPool }) });
    const changeMark = new PostgresChangeMark(
      async () => (await readPool.query<{ snapshot: string }>(CURRENT_SNAPSHOT)).rows[0]!.snapshot,
    );
    return {
      engine,
      location: redact(target),
      db,
      reader,
      write: (work) => withRetries(() => db.transaction().execute(work)),
      read: (work) => work(reader),
      changeMark: () => changeMark.current(),
      async close() {
        await reader.destroy();
        await db.destroy();
      },
    };
  }
  const { writer, reader, changeMark, durable, stopCheckpoints } = openSqliteConnections(target);
  const flushListeners = new Set<(seconds: number) => void>();
  const timedDurable = async () => {
    const started = performance.now();
    await durable();
    const seconds = (performance.now() - started) / 1000;
    for (const listener of flushListeners) listener(seconds);
  };
  const committer = new GroupCommitter(
    writer,
    undefined,
    () => changeMark?.committed(),
    timedDurable,
  );
  return {
    engine,
    location: `sqlite:${target}`,
    db: writer,
    reader,
    write: (work) => committer.run(work),
    read: (work) => reader.transaction().execute(work),
    changeMark: () => (changeMark ? changeMark.current() : null),
    observeFlushes(listener) {
      flushListeners.add(listener);
      return () => void flushListeners.delete(listener);
    },
    async close() {
      await stopCheckpoints();
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

/**
 * The store cannot be reached or is not accepting work right now: PostgreSQL restarting
 * or shutting down (class 08 connection exceptions, 57P01–57P03), the connection refused
 * or cut, or SQLite still locked after its busy timeout. The request did nothing the
 * caller can rely on (or, when the connection died during COMMIT, nothing it was told
 * of), so the answer is "try again", not a failure of Gatehouse.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
      return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'SQLITE_BUSY'].includes(code))
      return true;
  }
  // pg reports a connection lost mid-query as a plain Error without a code.
  return (
    typeof message === 'string' &&
    /^Connection terminated|^Client has encountered a connection error|^Client was closed|timeout exceeded when trying to connect/.test(
      message,
    )
  );
}
