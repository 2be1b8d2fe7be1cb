/**
 * The audit log is a hash chain: each entry's hash covers its own content and the hash
 * of the entry before it, so changing, removing or reordering any entry breaks every
 * hash after it. Content is hashed in its RFC 8785 canonical JSON form so the bytes do
 * not depend on key order or on the database engine that stored them.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// canonicalize is CommonJS whose typings claim an ES default export; load it as what it is.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (
  input: unknown,
) => string | undefined;

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  /** Canonical JSON text of the state before, or null when the subject is new. */
  before: string | null;
  /** Canonical JSON text of the state after, or null when the subject is gone. */
  after: string | null;
}

export interface AuditEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be represented as JSON');
  return text;
}

export function hashEntry(content: AuditContent, prevHash: string): string {
  const body = canonicalJson({
    seq: content.seq,
    at: content.at,
    actor: content.actor,
    action: content.action,
    subjectType: content.subjectType,
    subjectId: content.subjectId,
    before: content.before,
    after: content.after,
    prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The text `hashEntry` hashes, less the two values only the chain's head decides: the
 * body is `before + prevHash + '","seq":' + seq + after`. Canonical JSON orders the keys
 * (action, actor, after, at, before, prevHash, seq, subjectId, subjectType), so the
 * entry's own fields fall on either side. PostgreSQL appends an entry in one call that
 * reads the head and hashes there (migration 0028), so the chain's lock is held for that
 * call and the commit, not for three round trips.
 */
export function hashedAround(content: Omit<AuditContent, 'seq'>): {
  before: string;
  after: string;
} {
  const head = canonicalJson({
    action: content.action,
    actor: content.actor,
    after: content.after,
    at: content.at,
    before: content.before,
  });
  const tail = canonicalJson({ subjectId: content.subjectId, subjectType: content.subjectType });
  return { before: `${head.slice(0, -1)},"prevHash":"`, after: `,${tail.slice(1)}` };
}

export type ChainBreak =
  | { seq: number; problem: 'hash-mismatch'; expected: string; stored: string }
  | { seq: number; problem: 'prev-hash-mismatch'; expected: string; stored: string }
  | { seq: number; problem: 'gap'; expectedSeq: number };

/**
 * Checks entries in order, continuing from `previous` (the last verified entry, or the
 * genesis when verifying from the start). Returns the first break, or null.
 */
export function verifyChainSegment(
  entries: Iterable<AuditEntry>,
  previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): { break: ChainBreak | null; last: { seq: number; hash: string }; count: number } {
  let last = previous;
  let count = 0;
  for (const entry of entries) {
    if (entry.seq !== last.seq + 1) {
      return { break: { seq: entry.seq, problem: 'gap', expectedSeq: last.seq + 1 }, last, count };
    }
    if (entry.prevHash !== last.hash) {
      return {
        break: {
          seq: entry.seq,
          problem: 'prev-hash-mismatch',
          expected: last.hash,
          stored: entry.prevHash,
        },
        last,
        count,
      };
    }
    const expected = hashEntry(entry, entry.prevHash);
    if (expected !== entry.hash) {
      return {
        break: { seq: entry.seq, problem: 'hash-mismatch', expected, stored: entry.hash },
        last,
        count,
      };
    }
    last = { seq: entry.seq, hash: entry.hash };
    count += 1;
  }
  return { break: null, last, count };
}

export function describeBreak(b: ChainBreak): string {
  switch (b.problem) {
    case 'gap':
      return `entry ${b.expectedSeq} is missing (next stored entry is ${b.seq})`;
    case 'prev-hash-mismatch':
      return `entry ${b.seq} does not point at the entry before it (stored previous hash ${b.stored.slice(0, 12)}…, expected ${b.expected.slice(0, 12)}…)`;
    case 'hash-mismatch':
      return `entry ${b.seq} was altered (its content hashes to ${b.expected.slice(0, 12)}…, stored ${b.stored.slice(0, 12)}…)`;
  }
}
