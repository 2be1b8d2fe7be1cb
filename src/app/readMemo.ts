/**
 * Answers remembered between requests, for the hottest reads (a release, a gate check).
 * An answer is reused only while the store's change mark is the one read before the
 * answer was made (nothing was committed since, by anyone) and, for answers that depend
 * on the clock, only before the instant it could first differ. Where the store has no
 * change mark nothing is remembered (ADR 2500-1; PostgreSQL's mark: ADR 3200-1).
 */
import type { ChangeMark, Store } from '../store/database.js';

interface Made<T> {
  value: T;
  /** Epoch ms from which the answer may differ although no data changed. */
  until: number;
}

interface Entry<T> {
  mark: ChangeMark;
  /** Epoch ms from which the answer may differ although no data changed. */
  until: number;
  value: T;
}

/** Remembered answers are shared between requests: nothing may change them. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * How a memo's answers came about, counted since the process started (read at scrape
 * time as `gatehouse_read_memo_answers_total`): whether remembering pays shows here.
 */
export interface MemoCounts {
  /** Handed out again: the mark stood and the instant had not come. */
  reused: number;
  /** Made afresh: nothing remembered, or it was stale. */
  made: number;
  /** Waited for a making under way for the same mark (requests that missed together). */
  shared: number;
}

export class ReadMemo<T> {
  readonly counts: MemoCounts = { reused: 0, made: 0, shared: 0 };
  private readonly entries = new Map<string, Entry<T>>();
  /** Answers being made, so requests that miss together wait for one making. */
  private readonly making = new Map<string, { mark: ChangeMark; made: Promise<Made<T>> }>();

  constructor(
    private readonly store: Store,
    private readonly capacity = 10_000,
  ) {}

  /**
   * The remembered answer for `key`, or `make`'s (remembered when the store allows).
   * `make` returns the answer and until when it holds if no data changes (or `Infinity`).
   * Where the mark is at hand (SQLite) a remembered answer comes back as it is, not in a
   * promise: a route answers a hit in the same turn, with no promise made (most reads
   * under load are hits). PostgreSQL's mark costs a round trip (ADR 3200-1).
   */
  get(key: string, now: number, make: () => Promise<Made<T>>): T | Promise<T> {
    const mark = this.store.changeMark();
    if (mark instanceof Promise) return mark.then((read) => this.lookUp(key, read, now, make));
    return this.lookUp(key, mark, now, make);
  }

  private lookUp(
    key: string,
    mark: ChangeMark | null,
    now: number,
    make: () => Promise<Made<T>>,
  ): T | Promise<T> {
    if (mark !== null) {
      const entry = this.entries.get(key);
      if (entry && entry.mark === mark && now < entry.until) {
        this.counts.reused++;
        return entry.value;
      }
    }
    return this.makeOrWait(key, mark, now, make);
  }

  private async makeOrWait(
    key: string,
    mark: ChangeMark | null,
    now: number,
    make: () => Promise<Made<T>>,
  ): Promise<T> {
    if (mark === null) {
      this.counts.made++;
      return (await make()).value;
    }
    // After a commit every caller misses at once (200 pipelines polling one gate): the
    // first makes the answer, the others under the same mark wait for it.
    const inFlight = this.making.get(key);
    if (inFlight && inFlight.mark === mark) {
      const made = await inFlight.made;
      if (now < made.until) {
        this.counts.shared++;
        return made.value;
      }
    }
    this.counts.made++;
    const making = make();
    this.making.set(key, { mark, made: making });
    try {
      const made = await making;
      // Answers made from data older than the mark would be wrongly reused; the mark was
      // read first, so the data is at least as new as the mark says.
      if (this.entries.size >= this.capacity) this.entries.clear();
      this.entries.set(key, { mark, until: made.until, value: deepFreeze(made.value) });
      return made.value;
    } finally {
      if (this.making.get(key)?.made === making) this.making.delete(key);
    }
  }
}

const memos = new WeakMap<Store, Map<string, ReadMemo<unknown>>>();

/** The memo of one kind of answer for one store (one per process and database). */
export function readMemo<T>(store: Store, kind: string): ReadMemo<T> {
  let kinds = memos.get(store);
  if (!kinds) memos.set(store, (kinds = new Map()));
  let memo = kinds.get(kind);
  if (!memo) kinds.set(kind, (memo = new ReadMemo<unknown>(store)));
  return memo as ReadMemo<T>;
}

/** Each kind of answer remembered for this store so far, with its counts. */
export function memoCounts(store: Store): { kind: string; counts: MemoCounts }[] {
  return [...(memos.get(store) ?? [])].map(([kind, memo]) => ({ kind, counts: memo.counts }));
}
