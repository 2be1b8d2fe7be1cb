import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalJson,
  GENESIS_HASH,
  hashEntry,
  verifyChainSegment,
  type AuditEntry,
} from './audit-chain.js';

function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      seq,
      at: `2026-01-01T00:00:0${seq % 10}.000Z`,
      actor: 'alice',
      action: 'release.created',
      subjectType: 'release',
      subjectId: `REL-${seq}`,
      before: null,
      after: canonicalJson({ seq, title: 'x' }),
    };
    const hash = hashEntry(content, prev);
    entries.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return entries;
}

describe('audit hash chain', () => {
  test('canonical JSON does not depend on key order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }),
      canonicalJson({ a: [2, { c: 4, d: 3 }], b: 1 }),
    );
  });

  test('an intact chain verifies', () => {
    const result = verifyChainSegment(chain(5));
    assert.equal(result.break, null);
    assert.equal(result.count, 5);
  });

  test('an altered field is caught at that entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, actor: 'mallory' };
    assert.deepEqual(verifyChainSegment(entries).break?.seq, 3);
    assert.equal(verifyChainSegment(entries).break?.problem, 'hash-mismatch');
  });

  test('a recomputed hash still breaks the link to the next entry', () => {
    const entries = chain(5);
    const forged = { ...entries[2]!, actor: 'mallory' };
    forged.hash = hashEntry(forged, forged.prevHash);
    entries[2] = forged;
    const result = verifyChainSegment(entries);
    assert.equal(result.break?.seq, 4);
    assert.equal(result.break?.problem, 'prev-hash-mismatch');
  });

  test('a removed entry is a gap', () => {
    const entries = chain(5);
    entries.splice(1, 1);
    assert.deepEqual(verifyChainSegment(entries).break, { seq: 3, problem: 'gap', expectedSeq: 2 });
  });
});
