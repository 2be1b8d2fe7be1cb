/**
 * PostgreSQL's change mark (ADR 3200-1): the snapshot of committed transactions,
 * `pg_current_snapshot()`. Two equal snapshots see the same committed data: a commit
 * either ends a transaction the first snapshot lists as in progress or has an id at or
 * past its upper bound, and either changes the next snapshot. So an answer made after
 * reading one snapshot may be reused while the snapshot read later is still equal.
 *
 * The snapshot is cluster-wide, so a commit by any replica, or in any database of the
 * cluster, moves it: answers are forgotten more often than needed, never too seldom.
 *
 * Each caller is answered by a reading that began after it asked, so a commit it was
 * told of (by this replica or another) is in its reading. Callers that ask while a
 * reading is under way share the next one: under load one round trip serves a whole
 * turn's requests.
 */
export class PostgresChangeMark {
  private reading: Promise<string | null> | null = null;
  private next: Promise<string | null> | null = null;

  /** `read` returns the snapshot as text. */
  constructor(private readonly read: () => Promise<string>) {}

  /** The snapshot as text; `null` when it cannot be read (the store is unreachable). */
  current(): Promise<string | null> {
    if (this.next) return this.next;
    if (!this.reading) return this.begin();
    // `reading` never rejects: a failed reading is a null mark.
    this.next = this.reading.then(() => {
      this.next = null;
      return this.begin();
    });
    return this.next;
  }

  private begin(): Promise<string | null> {
    // A failed reading remembers nothing; the answer's own statements meet the outage and
    // say so.
    const reading = this.read().catch(() => null);
    this.reading = reading;
    void reading.then(() => {
      if (this.reading === reading) this.reading = null;
    });
    return reading;
  }
}
