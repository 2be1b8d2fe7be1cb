/**
 * SQLite, the embedded default. Two connections to one WAL file: a writer whose commits
 * are grouped (below), and a read-only reader that sees only committed data and never
 * waits for a write. Prepared statements are cached on both.
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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
  /**
   * Makes what the writer committed durable across power loss (see `syncWal`); the
   * group committer awaits it before answering anyone.
   */
  durable: () => Promise<void>;
  /** Stops the background checkpoints; before the connections close. */
  stopCheckpoints: () => Promise<void>;
} {
  if (target !== ':memory:') mkdirSync(dirname(resolve(target)), { recursive: true });
  const writer = new SQLite(target);
  writer.pragma('journal_mode = WAL');
  // A commit writes its WAL frames and returns: a process crash loses nothing (the
  // frames are in the operating system's cache). Power-loss durability comes from
  // `durable`, an fdatasync of the WAL off the event loop before any answer (ADR 2900-2).
  // FULL made that fsync inside COMMIT, on the event loop: every request waited for
  // every commit's disk flush, up to 55 ms each here.
  writer.pragma('synchronous = NORMAL');
  writer.pragma('foreign_keys = ON');
  writer.pragma('busy_timeout = 5000');
  // Pages the writer only reads come from the mapped file, which its own commits never
  // unmap (another connection's do: the reader below is not mapped); its cache holds
  // what it writes. 16 MiB holds a busy minute's working set; a larger cache only
  // filled, page by page, towards its size (RSS growth in the soak, ADR 2900-2). SQLite
  // writes through write(), never through the map.
  writer.pragma('cache_size = -16384');
  writer.pragma('mmap_size = 1073741824');
  writer.pragma('temp_store = MEMORY');
  const writerDb = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(writer) }),
  });
  // One connection sees no change mark for its own commits: nothing is remembered.
  if (target === ':memory:')
    return {
      writer: writerDb,
      reader: writerDb,
      changeMark: null,
      durable: () => Promise.resolve(),
      stopCheckpoints: () => Promise.resolve(),
    };
  const reader = new SQLite(target, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  // Not mapped: SQLite empties a connection's cache, and unmaps its file, at the first
  // read after another connection commits, so under writes the reader paid a munmap, an
  // mmap and a page fault per page touched on nearly every request: twice the time of
  // reading the same pages by pread into the cache (a release page 8–10 ms → 4–5 ms with
  // a write between reads, docs/decisions/3000-1). The cache is bounded, and emptied at
  // every commit anyway.
  reader.pragma('cache_size = -16384');
  const readerDb = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(reader) }),
  });
  // SQLite's data_version, read on the reader connection, moves whenever any other
  // connection — our writer, or another process on the same file — commits.
  const dataVersion = reader.prepare('PRAGMA data_version').pluck();
  const wal = `${writer.name}-wal`;
  // Checkpoints happen in a worker; the writer's own only if the worker falls far behind.
  writer.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  // Said each time, on stderr and to any 'warning' listener (the server logs it): without
  // the worker the process keeps working, but every request waits for the backstop's
  // checkpoints, tens of milliseconds every few seconds under load (ADR 2900-2).
  const checkpointer = startCheckpointer(writer.name, (reason, restartInMs) =>
    process.emitWarning(
      `the SQLite checkpointer stopped (${reason}); until it starts again in ${Math.ceil(restartInMs / 1000)} s the writer checkpoints by itself, and requests wait for it`,
      { code: CHECKPOINTER_STOPPED },
    ),
  );
  return {
    writer: writerDb,
    reader: readerDb,
    changeMark: new SqliteChangeMark(() => dataVersion.get() as number),
    durable: () => syncWal(wal),
    stopCheckpoints: () => checkpointer.stop(),
  };
}

/** 40 MiB of WAL: the writer checkpoints itself only if the checkpointer cannot. */
const BACKSTOP_CHECKPOINT_PAGES = 10_000;

/** The code of the process warning emitted when the checkpointer ends by itself. */
const CHECKPOINTER_STOPPED = 'GATEHOUSE_SQLITE_CHECKPOINTER_STOPPED';

// A worker thread's whole program (CommonJS, so it needs no build step or loader).
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick tries again, and the writer's backstop remains.
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Copies the WAL into the database every second, in a worker thread on its own
 * connection (ADR 2900-2). SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses its threshold, on the event loop: it copies the WAL's pages and fsyncs both
 * files, 5–60 ms here, about every second and a half under the soak's writes, and every
 * request waited. PASSIVE never waits for the writer or the readers; it copies what it
 * can, and the writer starts the WAL afresh at its next transaction once all is copied.
 * The worker does not keep the process alive.
 *
 * A worker that ends by itself (it could not open the file) is reported and started
 * again after `restartAfterMs`, twice as long after each failure in a row, up to a
 * minute; one that then runs for a minute counts as recovered. Meanwhile the writer's
 * backstop checkpoints.
 */
export function startCheckpointer(
  file: string,
  /** Told each time the worker ends without being asked to: why, and when it is tried again. */
  stopped: (reason: string, restartInMs: number) => void = () => undefined,
  intervalMs = 1000,
  restartAfterMs = 1000,
): { stop(): Promise<void> } {
  let stopping = false;
  let failuresInARow = 0;
  let restart: NodeJS.Timeout | undefined;
  // Both set by the first run, below, and by each start after it.
  let current!: Worker;
  let exited!: Promise<void>;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const run = () => {
    const startedAt = Date.now();
    const worker = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: { file, intervalMs, driver },
    });
    worker.unref();
    current = worker;
    let failure: string | null = null;
    // An error ends the worker: the writer's backstop remains until the next start.
    worker.on('error', (error) => {
      failure = error instanceof Error ? error.message : String(error);
    });
    exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        resolve();
        if (stopping) return;
        if (Date.now() - startedAt >= RECOVERED_AFTER_MS) failuresInARow = 0;
        const delay = Math.min(restartAfterMs * 2 ** failuresInARow, LONGEST_RESTART_DELAY_MS);
        failuresInARow++;
        stopped(failure ?? `its thread exited with code ${code}`, delay);
        restart = setTimeout(run, delay);
        restart.unref();
      }),
    );
  };
  run();
  return {
    async stop() {
      stopping = true;
      clearTimeout(restart);
      // Held open while it closes its connection, or nothing would wait for its exit.
      current.ref();
      current.postMessage('stop');
      await exited;
    },
  };
}

/** A checkpointer that has run this long is well again, and the next restart is prompt. */
const RECOVERED_AFTER_MS = 60_000;
/** The longest wait before starting a checkpointer that keeps failing. */
const LONGEST_RESTART_DELAY_MS = 60_000;

/**
 * fdatasync of the WAL file, on libuv's thread pool: every frame written before the call
 * is on stable storage when it resolves, which is what `synchronous = FULL` does at each
 * commit. Opened each time, so a WAL removed and made anew is never missed.
 */
export async function syncWal(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
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
 * and told at once; the others are answered only after the commit and the flush that
 * make them all durable (`durable`, off the event loop; requests that only read go on
 * meanwhile). A unit therefore never sees an answer before its data is on disk.
 */
export class GroupCommitter {
  private readonly queue: Unit[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 500,
    /** Told after every commit, before any unit of the batch is answered. */
    private readonly onCommit: () => void = () => undefined,
    /** Resolves once the commit is on stable storage. */
    private readonly durable: () => Promise<void> = () => Promise.resolve(),
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
    try {
      await this.durable();
    } catch (error) {
      // Committed, but not known to be on disk: the callers are told it failed (their
      // write is in doubt, as after a crash), never that it is safe.
      for (const { unit } of succeeded) unit.reject(error);
      return;
    }
    for (const { unit, value } of succeeded) unit.resolve(value);
  }
}
