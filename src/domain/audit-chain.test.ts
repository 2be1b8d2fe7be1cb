import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  canonicalJson,
  GENESIS_HASH,
  hashEntry,
  hashedAround,
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

test('the text hashed around the head, joined with any head, is the text hashEntry hashes', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 20 });
  const json = fc.option(fc.json().map((v) => canonicalJson(JSON.parse(v) as unknown)));
  fc.assert(
    fc.property(
      fc.record({
        at: text,
        actor: text,
        action: text,
        subjectType: text,
        subjectId: text,
        before: json,
        after: json,
      }),
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc.stringMatching(/^[0-9a-f]{64}$/),
      (content, seq, prevHash) => {
        const { before, after } = hashedAround(content);
        const body = `${before}${prevHash}","seq":${seq}${after}`;
        assert.equal(
          createHash('sha256').update(body).digest('hex'),
          hashEntry({ ...content, seq }, prevHash),
        );
      },
    ),
  );
});
