/**
 * On PostgreSQL an audit entry is appended by one function call (ADR 3100-1): it takes
 * the chain's lock, reads the head, hashes and inserts. Before, those were three round
 * trips, and a writer held the lock, which orders every writer, across all three and its
 * commit. The hash is the one `hashEntry` makes: the caller sends the canonical JSON text
 * on either side of the head's values (`hashedAround`, src/domain/audit-chain.ts), and
 * PostgreSQL joins it with the head's hash and the next number. Each statement of a
 * PL/pgSQL function takes a new snapshot at READ COMMITTED, so the head is read after
 * the lock is held. SQLite appends from the application, as before.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`create function audit_append(
      p_at text, p_actor text, p_action text, p_subject_type text, p_subject_id text,
      p_before text, p_after text, p_hashed_before text, p_hashed_after text, p_genesis text)
    returns table (entry_seq bigint, entry_hash text) language plpgsql as $$
    declare
      head_seq bigint;
      head_hash text;
    begin
      perform pg_advisory_xact_lock(7240917311);
      select a.seq, a.hash into head_seq, head_hash from audit_log a order by a.seq desc limit 1;
      entry_seq := coalesce(head_seq, 0) + 1;
      head_hash := coalesce(head_hash, p_genesis);
      entry_hash := encode(sha256(convert_to(
        p_hashed_before || head_hash || '","seq":' || entry_seq::text || p_hashed_after,
        'UTF8')), 'hex');
      insert into audit_log (seq, at, actor, action, subject_type, subject_id, before, after,
                             prev_hash, hash)
        values (entry_seq, p_at, p_actor, p_action, p_subject_type, p_subject_id, p_before,
                p_after, head_hash, entry_hash);
      return next;
    end $$`.execute(db);
}
