/**
 * On PostgreSQL the metrics' dirty-day marks (migration 0020) are written at commit, not
 * at the statement that changed the data (ADR 3100-1). The statement triggers upserted
 * the day's row of `metric_dirty_days`, and that row stayed locked until the transaction
 * ended: every write to deployments or releases on the same UTC day queued behind every
 * other, from its first statement to its commit.
 *
 * Now a statement trigger still works out the days as before, from its transition tables
 * at the statement's moment, but only appends them to `metric_dirty_pending`, which
 * takes no lock another writer waits for. A deferred constraint trigger on that table
 * moves each pending day into `metric_dirty_days` as the transaction commits. The mark is
 * still written in the same transaction as the data it marks, so a refresh sees both or
 * neither; the day's row is locked only for the commit. SQLite has one writer at a time
 * and keeps its triggers.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The three fragments of migration 0020's marking statement that name the upsert. */
const REWRITES: Array<[string, string]> = [
  ['insert into metric_dirty_days (day, mark)', 'insert into metric_dirty_pending (day)'],
  ["select day, nextval('metric_dirty_mark')", 'select day'],
  ['on conflict (day) do update set mark = excluded.mark;', ';'],
];

/**
 * Rewrites migration 0020's PostgreSQL marking functions to append to the pending table.
 * Exported for the benches that drop and recreate 0020's triggers.
 */
export async function markAtCommit(db: AnyDb, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  const functions = await sql<{ name: string; body: string }>`
    select p.proname as name, p.prosrc as body from pg_proc p
    where p.pronamespace = current_schema()::regnamespace
      and p.proname like '%\\_metric\\_days\\_%' and p.prosrc like '%metric_dirty_days%'`.execute(
    db,
  );
  for (const { name, body } of functions.rows) {
    let rewritten = body;
    for (const [from, to] of REWRITES) {
      if (!rewritten.includes(from))
        throw new Error(`trigger function ${name} does not mark days as migration 0020 wrote it`);
      rewritten = rewritten.split(from).join(to);
    }
    await sql
      .raw(
        `create or replace function ${name}() returns trigger language plpgsql as $$${rewritten}$$`,
      )
      .execute(db);
  }
}

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  // Unlogged: a pending day never outlives its transaction, so there is nothing to recover.
  await sql`create unlogged table metric_dirty_pending (
      id bigint generated always as identity primary key,
      day text not null)`.execute(db);
  await sql`create function metric_dirty_pending_flush() returns trigger language plpgsql as $$
    begin
      insert into metric_dirty_days (day, mark) values (new.day, nextval('metric_dirty_mark'))
        on conflict (day) do update set mark = excluded.mark;
      delete from metric_dirty_pending where id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create constraint trigger metric_dirty_pending_flush
      after insert on metric_dirty_pending deferrable initially deferred
      for each row execute function metric_dirty_pending_flush()`.execute(db);
  await markAtCommit(db, engine);
}
