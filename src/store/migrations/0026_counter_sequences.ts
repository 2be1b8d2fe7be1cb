/**
 * On PostgreSQL a key (REL-n, INC-n, REV-n) is drawn from a sequence, not by updating
 * the counter's row: the row stayed locked from a create's first statement to its
 * commit, so concurrent creates queued behind each other (ADR 3100-1). Each sequence
 * continues from its counter. SQLite, with one writer at a time, keeps the rows.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  const counters = await db.selectFrom('counters').select(['name', 'value']).execute();
  for (const { name, value } of counters as Array<{ name: string; value: number }>) {
    const sequence = `counter_${name}`;
    await sql`create sequence ${sql.table(sequence)} minvalue 1`.execute(db);
    await sql`select setval(${sequence}::regclass, ${Number(value) + 1}, false)`.execute(db);
  }
}
