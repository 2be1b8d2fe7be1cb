/**
 * The numbers in human keys: REL-n, INC-n, REV-n. SQLite, which has one writer at a
 * time, keeps each in a row of `counters`. PostgreSQL draws them from a sequence per
 * counter (`counter_<name>`, migration 0026): updating the row held it locked until the
 * create committed, so creates queued behind each other (ADR 3100-1). A sequence hands
 * out a number without a lock; a create that rolls back leaves a gap, as change numbers
 * in ITSM tools do. A backup carries the sequences' values in the `counters` rows, so the
 * format stays the same for both engines.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine, Tx } from './database.js';
import type { Database } from './schema.js';

export type CounterName = 'release' | 'incident' | 'review';

export async function nextCounter(tx: Tx, engine: Engine, name: CounterName): Promise<number> {
  if (engine === 'postgres') {
    const { rows } = await sql<{
      value: string;
    }>`select nextval(${`counter_${name}`}::regclass) as value`.execute(tx);
    return Number(rows[0]!.value);
  }
  const row = await tx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

/**
 * On PostgreSQL, the last number each sequence handed out (what the `counters` row would
 * hold had it been updated), by counter name; for a backup.
 */
export async function sequenceCounterValues(db: Kysely<Database>): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  const names = await db.selectFrom('counters').select('name').execute();
  for (const { name } of names) {
    const { rows } = await sql<{ last_value: string; is_called: boolean }>`
      select last_value, is_called from ${sql.table(`counter_${name}`)}`.execute(db);
    const { last_value, is_called } = rows[0]!;
    values.set(name, Number(last_value) - (is_called ? 0 : 1));
  }
  return values;
}

/** On PostgreSQL after a restore: each sequence continues from its restored counter. */
export async function continueSequencesFromCounters(db: Kysely<Database>): Promise<void> {
  await sql`select setval(('counter_' || name)::regclass, value + 1, false) from counters`.execute(
    db,
  );
}
