/**
 * SQLite, the embedded default. Two connections to one WAL file: a writer whose commits
 * are grouped (below), and a read-only reader that sees only committed data and never
 * waits for a write. Prepared statements are cached on both.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';

/** Kysely prepares every query anew; a bounded cache of statements by SQL text saves that. */
function withStatementCache(database: SQLite.Database, capacity = 2000): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => void database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= capacity) cache.clear();
        statement = database.prepare(sql) as unknown as SqliteStatement;
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

export function openSqliteConnections(target: string): {
  writer: Kysely<Database>;
  reader: Kysely<Database>;
  /** See `Store.changeMark`; null for an in-memory database (one connection). */
  changeMark: SqliteChangeMark | null;
} {
  if (target !== ':memory:') mkdirSync(dirname(resolve(target)), { recursive: true });
  const writer = new SQLite(target);
  writer.pragma('journal_mode = WAL');
  // FULL makes every commit durable across power loss, not only across a crash.
  writer.pragma('synchronous = FULL');
  writer.pragma('foreign_keys = ON');
  writer.pragma('busy_timeout = 5000');
  writer.pragma('cache_size = -65536');
  writer.pragma('temp_store = MEMORY');
  const writerDb = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(writer) }),
  });
  // One connection sees no change mark for its own commits: nothing is remembered.
  if (target === ':memory:') return { writer: writerDb, reader: writerDb, changeMark: null };
  const reader = new SQLite(target, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  // Reports read far more than the writer does: the same page cache, and the file mapped
  // rather than copied page by page (read-only, so a stray write cannot corrupt it).
  reader.pragma('cache_size = -65536');
  reader.pragma('mmap_size = 1073741824');
  const readerDb = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(reader) }),
  });
  // SQLite's data_version, read on the reader connection, moves whenever any other
  // connection — our writer, or another process on the same file — commits.
  const dataVersion = reader.prepare('PRAGMA data_version').pluck();
  return {
    writer: writerDb,
    reader: readerDb,
    changeMark: new SqliteChangeMark(() => dataVersion.get() as number),
  };
}

/**
 * The store's change mark on SQLite (ADR 2500-1): a generation that moves when the
 * reader's data_version moves (a commit by our writer or by another process) and at once
 * when our writer commits. Reading data_version takes SQLite's shared lock, a round of
 * system calls that cost a fifth of a remembered read, so it is read at most once per turn
 * of the event loop: every request handled in a turn arrived before that turn's I/O poll,
 * and so after any commit acknowledged before the request was sent.
 */
export class SqliteChangeMark {
  private generation = 0;
  private version = -1;
  private fresh = false;

  constructor(private readonly readVersion: () => number) {}

  current(): number {
    if (!this.fresh) {
      const version = this.readVersion();
      if (version !== this.version) {
        this.version = version;
        this.generation++;
      }
      this.fresh = true;
      setImmediate(() => {
        this.fresh = false;
      });
    }
    return this.generation;
  }

  /** Our writer committed: nothing remembered before may be reused. */
  committed(): void {
    this.generation++;
  }
}

type Work<T> = (tx: Kysely<Database>) => Promise<T>;
interface Unit {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. A durable SQLite commit costs one fsync, which caps a writer at about
 * a thousand commits a second whatever the CPU. Units of work that arrive while a batch
 * is open join it, each inside its own savepoint: a unit that fails is rolled back alone
 * and told at once; the others are answered only after the one commit that makes them
 * all durable. A unit therefore never sees an answer before its data is on disk.
 */
export class GroupCommitter {
  private readonly queue: Unit[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 500,
    /** Told after every commit, before any unit of the batch is answered. */
    private readonly onCommit: () => void = () => undefined,
  ) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.batch();
    } finally {
      this.draining = false;
    }
  }

  private async batch(): Promise<void> {
    const trx = await this.db.startTransaction().execute();
    const succeeded: Array<{ unit: Unit; value: unknown }> = [];
    try {
      for (let count = 0; count < this.maxBatch; count++) {
        // Let requests that arrived meanwhile join this batch before it commits.
        if (this.queue.length === 0) await new Promise((done) => setImmediate(done));
        const unit = this.queue.shift();
        if (!unit) break;
        const inside = await trx.savepoint('unit').execute();
        try {
          const value = await unit.work(inside);
          await inside.releaseSavepoint('unit').execute();
          succeeded.push({ unit, value });
        } catch (error) {
          await inside.rollbackToSavepoint('unit').execute();
          await inside.releaseSavepoint('unit').execute();
          unit.reject(error);
        }
      }
      await trx.commit().execute();
      this.onCommit();
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      for (const { unit } of succeeded) unit.reject(error);
      return;
    }
    for (const { unit, value } of succeeded) unit.resolve(value);
  }
}
