/**
 * Answers remembered between requests, for the hottest reads (a release, a gate check).
 * An answer is reused only while the store's change mark is the one read before the
 * answer was made (nothing was committed since, by anyone) and, for answers that depend
 * on the clock, only before the instant it could first differ. Where the store has no
 * change mark nothing is remembered (ADR 2500-1).
 */
import type { Store } from '../store/database.js';

interface Entry<T> {
  mark: number;
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

export class ReadMemo<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly store: Store,
    private readonly capacity = 10_000,
  ) {}

  /**
   * The remembered answer for `key`, or `make`'s (remembered when the store allows).
   * `make` returns the answer and until when it holds if no data changes (or `Infinity`).
   */
  async get(key: string, now: number, make: () => Promise<{ value: T; until: number }>) {
    const mark = this.store.changeMark();
    if (mark === null) return (await make()).value;
    const entry = this.entries.get(key);
    if (entry && entry.mark === mark && now < entry.until) return entry.value;
    const made = await make();
    // Answers made from data older than the mark would be wrongly reused; the mark was
    // read first, so the data is at least as new as the mark says.
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, { mark, until: made.until, value: deepFreeze(made.value) });
    return made.value;
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
