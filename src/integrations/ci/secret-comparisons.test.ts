/**
 * Every helper that compares a secret: right answer for equal and unequal values of any
 * length, and never a throw (crypto.timingSafeEqual throws on unequal lengths, so a helper
 * that passed raw values of different lengths to it would show here).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { sign } from '@octokit/webhooks-methods';
import {
  signature as outboundSignature,
  verifySignature,
} from '../../domain/notification/delivery.js';
import { signatureMatches } from '../github-deployments.js';
import { jenkinsSignature, jenkinsSignatureMatches } from './jenkins.js';
import { secretsEqual } from './payload.js';

describe('secret comparisons', () => {
  test('secretsEqual (GitLab token, Azure DevOps password): equal exactly when the strings are', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (a, b) => {
        assert.equal(secretsEqual(a, b), a === b);
        assert.equal(secretsEqual(a, a), true);
      }),
      { numRuns: 500 },
    );
    assert.equal(secretsEqual(undefined, 'secret'), false);
    assert.equal(secretsEqual('secret', 'secret '), false);
    assert.equal(secretsEqual('', 'secret'), false);
  });

  test('jenkinsSignatureMatches: only the HMAC of exactly this body with this secret', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 80 }),
        (secret, body, forged) => {
          const good = jenkinsSignature(secret, body);
          assert.equal(jenkinsSignatureMatches(secret, body, good), true);
          assert.equal(
            jenkinsSignatureMatches(secret, body, good.toUpperCase().replace('SHA256', 'sha256')),
            true,
          );
          assert.equal(jenkinsSignatureMatches(secret, body + 'x', good), false);
          assert.equal(jenkinsSignatureMatches(secret + 'x', body, good), false);
          assert.equal(jenkinsSignatureMatches(secret, body, forged), forged === good);
          assert.equal(jenkinsSignatureMatches(secret, body, good.slice(0, -1)), false);
        },
      ),
      { numRuns: 300 },
    );
    assert.equal(jenkinsSignatureMatches('s', 'b', undefined), false);
  });

  test('signatureMatches (GitHub): a signature of other bytes, or of other length, is false', async () => {
    const body = '{"action":"created"}';
    const good = await sign('a-long-shared-secret', body);
    assert.equal(await signatureMatches('a-long-shared-secret', body, good), true);
    for (const bad of [
      good.slice(0, -1),
      good + '0',
      'sha256=',
      'sha1=' + good.slice(7),
      '',
      undefined,
    ])
      assert.equal(await signatureMatches('a-long-shared-secret', body, bad), false, String(bad));
    assert.equal(await signatureMatches('a-long-shared-secret', body + ' ', good), false);
  });

  test('verifySignature (outbound webhooks, for receivers): other lengths and stale times are false', () => {
    const nowSeconds = 1_800_000_000;
    const timestamp = String(nowSeconds);
    const body = '{"event":"release.approved"}';
    const good = outboundSignature('s3cret', timestamp, body);
    const base = { secret: 's3cret', timestamp, body, nowSeconds };
    assert.equal(verifySignature({ ...base, signature: good }), true);
    for (const bad of [good.slice(0, -1), good + 'a', '', 'x'.repeat(good.length)])
      assert.equal(verifySignature({ ...base, signature: bad }), false, bad);
    assert.equal(
      verifySignature({ ...base, signature: good, nowSeconds: nowSeconds + 301 }),
      false,
      'outside the replay window',
    );
  });
});
