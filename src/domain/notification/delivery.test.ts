import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  backoffDelayMs,
  renderBody,
  signature,
  slackMessage,
  verifySignature,
  wantsEventType,
} from './delivery.js';
import { toEvent } from './events.js';

const event = toEvent(
  {
    seq: 5,
    at: '2026-11-23T10:00:00.000Z',
    actor: 'bob <admin>',
    action: 'waiver.granted',
    subjectType: 'release',
    subjectId: 'REL-2',
    before: null,
    after: { rule: 'tests-pass-rate', expiresAt: '2026-12-01T00:00:00.000Z' },
    hash: 'b'.repeat(64),
  },
  'urn:gatehouse',
)!;

describe('event-type globs', () => {
  test('match across the dots of an event type', () => {
    assert.ok(wantsEventType('dev.gatehouse.release.transitioned', ['dev.gatehouse.*']));
    assert.ok(wantsEventType('dev.gatehouse.release.transitioned', ['dev.gatehouse.release.*']));
    assert.ok(wantsEventType('dev.gatehouse.rollout.decided', ['*.rollout.decided']));
    assert.ok(
      wantsEventType('dev.gatehouse.cab.decided', ['dev.gatehouse.{approval,cab}.*', 'x.*']),
    );
    assert.equal(
      wantsEventType('dev.gatehouse.incident.recorded', ['dev.gatehouse.release.*']),
      false,
    );
    assert.equal(wantsEventType('dev.gatehouse.release.created', []), false);
  });
});

describe('signatures', () => {
  test('HMAC-SHA256 over "timestamp.body", as a receiver recomputes it', () => {
    const body = renderBody(event, 'cloudevents');
    const expected = createHmac('sha256', 'a-long-enough-secret')
      .update(`1700000000.${body}`)
      .digest('hex');
    assert.equal(signature('a-long-enough-secret', '1700000000', body), `sha256=${expected}`);
  });

  test('verification refuses a changed body, a wrong secret, and an old timestamp', () => {
    const body = renderBody(event, 'cloudevents');
    const sig = signature('s3cret-s3cret-s3cret', '1700000000', body);
    const base = {
      secret: 's3cret-s3cret-s3cret',
      timestamp: '1700000000',
      signature: sig,
      body,
      nowSeconds: 1700000100,
    };
    assert.equal(verifySignature(base), true);
    assert.equal(verifySignature({ ...base, body: body + ' ' }), false);
    assert.equal(verifySignature({ ...base, secret: 'another-secret-here' }), false);
    assert.equal(verifySignature({ ...base, nowSeconds: 1700000000 + 301 }), false);
    assert.equal(verifySignature({ ...base, signature: undefined }), false);
    assert.equal(verifySignature({ ...base, timestamp: '17e8' }), false);
  });
});

describe('backoff', () => {
  const settings = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };

  // Below the cap (60 s here), each wait's floor is the previous wait's ceiling.
  test('doubles each attempt within [d/2, d], so waits never shrink', () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const d = 1000 * 2 ** (attempt - 1);
      assert.equal(
        backoffDelayMs(attempt, settings, () => 0),
        d / 2,
      );
      assert.equal(
        backoffDelayMs(attempt, settings, () => 1),
        d,
      );
      assert.ok(
        backoffDelayMs(attempt + 1, settings, () => 0) >=
          backoffDelayMs(attempt, settings, () => 1),
      );
    }
  });

  test('is capped', () => {
    assert.equal(
      backoffDelayMs(30, settings, () => 1),
      60_000,
    );
    assert.equal(
      backoffDelayMs(30, settings, () => 0),
      30_000,
    );
  });
});

describe('slack format', () => {
  test('text and blocks, with Slack control characters escaped', () => {
    const message = slackMessage(event);
    assert.equal(
      message.text,
      'bob &lt;admin&gt; waived tests-pass-rate for REL-2 until 2026-12-01T00:00:00.000Z',
    );
    assert.equal((message.blocks[0] as { type: string }).type, 'section');
    assert.match(JSON.stringify(message.blocks[1]), /dev\.gatehouse\.waiver\.granted · REL-2/);
    assert.deepEqual(JSON.parse(renderBody(event, 'slack')), message);
  });
});
