/**
 * Backup and restore in one portable format for both engines (ADR 1900-2): gzip'd
 * NDJSON — a header (format version, schema version, tables with their columns), one
 * line per row in primary-key order, and a trailer with the row count and the SHA-256
 * of every line before it. A SQLite backup restores into PostgreSQL and back.
 *
 * The backup reads one snapshot; the restore checks the whole file before it writes,
 * writes into an empty database at the same schema version in one transaction, and
 * leaves the audit chain exactly as it was, so `gatehouse audit verify` proves it.
 */
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import { continueSequencesFromCounters, sequenceCounterValues } from './counters.js';
import type { Engine, Store } from './database.js';
import { appliedMigrations, MIGRATION_NAMES } from './migrate.js';
import type { Database } from './schema.js';

export const BACKUP_FORMAT = 'gatehouse-backup';
export const BACKUP_FORMAT_VERSION = 1;
const PAGE = 1000;

// Tables are named at run time from the catalogue, not from the typed schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export interface TableDescription {
  name: string;
  columns: string[];
  primaryKey: string[];
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** The last migration the database had run: restore needs the same. */
  schemaVersion: string;
  sourceEngine: Engine;
  createdAt: string;
  tables: TableDescription[];
}

export interface BackupSummary {
  schemaVersion: string;
  tables: number;
  rows: number;
  sha256: string;
}

/** A backup or restore refused for a reason the operator can act on (CLI exit 2). */
export class BackupRefused extends Error {}

/**
 * Engine-specific tables that are derived, not data: SQLite's full-text index of
 * lessons (and FTS5's shadow tables) is rebuilt from `lessons` after a restore.
 */
function isDerived(name: string): boolean {
  return name === 'lessons_fts' || name.startsWith('lessons_fts_');
}

async function primaryKey(db: AnyDb, engine: Engine, table: string): Promise<string[]> {
  if (engine === 'sqlite') {
    const rows = await sql<{ name: string; pk: number }>`
      select name, pk from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db);
    return rows.rows.map((r) => r.name);
  }
  const rows = await sql<{ column: string }>`
    select a.attname as column
    from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where i.indrelid = ${table}::regclass and i.indisprimary
    order by array_position(i.indkey, a.attnum)`.execute(db);
  return rows.rows.map((r) => r.column);
}

async function referencedTables(db: AnyDb, engine: Engine, table: string): Promise<string[]> {
  if (engine === 'sqlite') {
    const rows = await sql<{
      table: string;
    }>`select "table" from pragma_foreign_key_list(${table})`.execute(db);
    return rows.rows.map((r) => r.table);
  }
  const rows = await sql<{ table: string }>`
    select c.confrelid::regclass::text as table
    from pg_constraint c
    where c.conrelid = ${table}::regclass and c.contype = 'f'`.execute(db);
  return rows.rows.map((r) => r.table.replace(/^"|"$/g, ''));
}

/**
 * The data tables, parents before children (by their foreign keys; ties by name), so
 * rows can be inserted in file order. Both engines have the same keys, so the order a
 * backup was written in is a valid order for a restore on either.
 */
export async function describeTables(db: AnyDb, engine: Engine): Promise<TableDescription[]> {
  const found = (await db.introspection.getTables())
    .filter((t) => !t.isView && !isDerived(t.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set(found.map((t) => t.name));
  const parents = new Map<string, string[]>();
  for (const t of found)
    parents.set(
      t.name,
      (await referencedTables(db, engine, t.name)).filter((p) => p !== t.name && names.has(p)),
    );
  const ordered: TableDescription[] = [];
  const placed = new Set<string>();
  while (ordered.length < found.length) {
    const next = found.find(
      (t) => !placed.has(t.name) && parents.get(t.name)!.every((p) => placed.has(p)),
    );
    if (!next) throw new Error('the tables reference each other in a cycle');
    placed.add(next.name);
    ordered.push({
      name: next.name,
      columns: next.columns.map((c) => c.name),
      primaryKey: await primaryKey(db, engine, next.name),
    });
  }
  return ordered;
}

/** Bytes leave as `{"$base64": …}`; every other stored value is JSON already. */
function encodeValue(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array)
    return { $base64: Buffer.from(value).toString('base64') };
  return value;
}

function decodeValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '$base64' in value)
    return Buffer.from(String((value as { $base64: unknown }).$base64), 'base64');
  return value;
}

/** Runs `work` on one consistent snapshot of the whole database. */
function onSnapshot<T>(store: Store, work: (db: AnyDb) => Promise<T>): Promise<T> {
  if (store.engine === 'sqlite') return store.read((tx) => work(tx));
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((tx) => work(tx));
}

async function latestApplied(db: Kysely<Database>): Promise<string> {
  const applied = await appliedMigrations(db);
  const latest = applied.at(-1);
  if (!latest) throw new BackupRefused('the database has never been migrated: nothing to back up');
  return latest;
}

/**
 * Writes a backup of `store` to `path`: into a temporary file beside it, renamed into
 * place only when complete, so a failed backup never leaves a file that looks whole.
 */
export async function writeBackup(
  store: Store,
  path: string,
  now = new Date(),
): Promise<BackupSummary> {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    throw new BackupRefused(`cannot write ${path}: ${(error as Error).message}`);
  }
  const temporary = `${path}.partial-${process.pid}`;
  const gzip = createGzip();
  const file = createWriteStream(temporary, { mode: 0o600 });
  // A write failure (disk full) surfaces through `finished` below, not as a crash.
  file.on('error', () => undefined);
  gzip.pipe(file);
  const hash = createHash('sha256');
  const emit = async (line: unknown) => {
    const text = JSON.stringify(line) + '\n';
    hash.update(text);
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  try {
    const summary = await onSnapshot(store, async (db) => {
      const schemaVersion = await latestApplied(db);
      const tables = await describeTables(db, store.engine);
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        schemaVersion,
        sourceEngine: store.engine,
        createdAt: now.toISOString(),
        tables,
      };
      await emit(header);
      // PostgreSQL's counters live in sequences (src/store/counters.ts); the backup
      // writes their values into the portable `counters` rows.
      const counters = store.engine === 'postgres' ? await sequenceCounterValues(db) : null;
      let rows = 0;
      for (const table of tables) {
        const order = table.primaryKey.length ? table.primaryKey : table.columns;
        for (let offset = 0; ; offset += PAGE) {
          let query = db.selectFrom(table.name).select(table.columns);
          for (const column of order) query = query.orderBy(column);
          const page = await query.limit(PAGE).offset(offset).execute();
          for (const row of page as Array<Record<string, unknown>>) {
            if (table.name === 'counters' && counters)
              row.value = counters.get(row.name as string) ?? row.value;
            await emit({ t: table.name, r: table.columns.map((c) => encodeValue(row[c])) });
            rows++;
          }
          if (page.length < PAGE) break;
        }
      }
      return { schemaVersion, tables: tables.length, rows };
    });
    const sha256 = hash.digest('hex');
    gzip.end(JSON.stringify({ end: true, rows: summary.rows, sha256 }) + '\n');
    await finished(file);
    renameSync(temporary, path);
    return { ...summary, sha256 };
  } catch (error) {
    gzip.destroy();
    file.destroy();
    rmSync(temporary, { force: true });
    throw error;
  }
}

interface Trailer {
  end: true;
  rows: number;
  sha256: string;
}

/** The file's lines, decompressed; a file that is not gzip is refused as such. */
async function* linesOf(path: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const source = createReadStream(path);
  source.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BackupRefused(`no such file: ${path}`);
    if (code?.startsWith('Z_'))
      throw new BackupRefused(`${path} is not a complete gzip'd Gatehouse backup (${code})`);
    throw error;
  }
}

function parseLine(line: string, number: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new BackupRefused(`line ${number} of the backup is not JSON: the file is damaged`);
  }
}

/**
 * Reads the whole file once and checks it before anything is written: the header is a
 * backup this build understands, and the trailer's SHA-256 and row count match what
 * precedes it (so a changed, truncated or extended file is refused).
 */
export async function checkBackup(
  path: string,
): Promise<{ header: BackupHeader; rows: number; sha256: string }> {
  const hash = createHash('sha256');
  let header: BackupHeader | null = null;
  let trailer: Trailer | null = null;
  let rows = 0;
  let number = 0;
  for await (const line of linesOf(path)) {
    number++;
    if (trailer) throw new BackupRefused(`the backup continues after its trailer (line ${number})`);
    const value = parseLine(line, number) as Record<string, unknown>;
    if (number === 1) {
      if (value.format !== BACKUP_FORMAT)
        throw new BackupRefused(`${path} is not a Gatehouse backup`);
      if (value.formatVersion !== BACKUP_FORMAT_VERSION)
        throw new BackupRefused(
          `backup format version ${String(value.formatVersion)} is not the ${BACKUP_FORMAT_VERSION} this build reads`,
        );
      header = value as unknown as BackupHeader;
    } else if (value.end === true) {
      trailer = value as unknown as Trailer;
      continue;
    } else rows++;
    hash.update(line + '\n');
  }
  if (!header) throw new BackupRefused(`${path} is empty`);
  if (!trailer)
    throw new BackupRefused('the backup has no trailer: it is truncated or was not finished');
  if (hash.digest('hex') !== trailer.sha256)
    throw new BackupRefused(
      'the backup does not match its SHA-256: it was changed or damaged after it was written',
    );
  if (rows !== trailer.rows)
    throw new BackupRefused(`the backup holds ${rows} rows but its trailer says ${trailer.rows}`);
  return { header, rows, sha256: trailer.sha256 };
}

/** Sequences owned by restored columns continue after the highest restored value. */
async function advanceSequences(tx: AnyDb): Promise<void> {
  const owned = await sql<{ table: string; column: string; sequence: string }>`
    select t.relname as table, a.attname as column, s.oid::regclass::text as sequence
    from pg_class s
    join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i')
    join pg_class t on t.oid = d.refobjid
    join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
    where s.relkind = 'S' and t.relnamespace = current_schema()::regnamespace`.execute(tx);
  for (const { table, column, sequence } of owned.rows)
    await sql`select setval(${sequence}, coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(
      tx,
    );
}

/**
 * Restores a checked backup into `store`, which must be migrated to the backup's schema
 * version and hold nothing yet (no audit entry: the first start writes one). The rows
 * the migrations seed are replaced by the backup's; all of it in one transaction.
 */
export async function restoreBackup(store: Store, path: string): Promise<BackupSummary> {
  const { header, rows, sha256 } = await checkBackup(path);
  const schemaVersion = await latestApplied(store.db).catch(() => '(none)');
  if (schemaVersion !== header.schemaVersion)
    throw new BackupRefused(
      `the backup is of schema ${header.schemaVersion} but the database is at ${schemaVersion}; ` +
        (MIGRATION_NAMES.includes(header.schemaVersion)
          ? 'restore into a database migrated with the same Gatehouse version'
          : 'this Gatehouse version does not know that schema'),
    );
  const tables = await describeTables(store.db, store.engine);
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const table of header.tables) {
    const target = byName.get(table.name);
    if (!target) throw new BackupRefused(`the database has no table ${table.name}`);
    const missing = table.columns.filter((c) => !target.columns.includes(c));
    if (missing.length)
      throw new BackupRefused(`table ${table.name} lacks column(s) ${missing.join(', ')}`);
  }
  const columnsOf = new Map(header.tables.map((t) => [t.name, t.columns]));
  await store.write(async (tx) => {
    const audit = await tx
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(audit.n) > 0)
      throw new BackupRefused(
        `the database is not empty (${audit.n} audit entries): restore only into a fresh database`,
      );
    // What the migrations seeded (the system user, counters) gives way to the backup.
    for (const table of [...tables].reverse())
      if (table.name !== 'audit_log') await tx.deleteFrom(table.name as 'teams').execute();
    let batchTable = '';
    let batchRows: Array<Record<string, unknown>> = [];
    const flush = async () => {
      if (batchRows.length) await (tx as AnyDb).insertInto(batchTable).values(batchRows).execute();
      batchRows = [];
    };
    let number = 0;
    for await (const line of linesOf(path)) {
      if (++number === 1) continue;
      const value = JSON.parse(line) as { t?: string; r?: unknown[]; end?: true };
      if (value.end) break;
      const columns = columnsOf.get(value.t ?? '');
      if (!columns || !Array.isArray(value.r) || value.r.length !== columns.length)
        throw new BackupRefused(`line ${number} of the backup does not fit its header`);
      if (batchTable !== value.t || batchRows.length >= 100) {
        await flush();
        batchTable = value.t!;
      }
      const row: Record<string, unknown> = {};
      columns.forEach((c, i) => (row[c] = decodeValue(value.r![i])));
      batchRows.push(row);
    }
    await flush();
    if (store.engine === 'sqlite' && tables.some((t) => t.name === 'lessons')) {
      await sql`delete from lessons_fts`.execute(tx);
      await sql`insert into lessons_fts (text, lesson_id) select text, id from lessons`.execute(tx);
    }
    if (store.engine === 'postgres') {
      await advanceSequences(tx);
      await continueSequencesFromCounters(tx);
    }
  });
  return { schemaVersion: header.schemaVersion, tables: header.tables.length, rows, sha256 };
}
