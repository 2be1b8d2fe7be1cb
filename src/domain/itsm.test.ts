import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextWaitMs, parseRetryAfter, planItsmOperation, verdictOf } from './itsm.js';

const entry = (action: string, after: unknown = null) => ({
  seq: 7,
  at: '2026-03-02T10:00:00.000Z',
  actor: 'rita',
  action,
  subjectType: 'release',
  subjectId: 'REL-1',
  before: null,
  after,
  hash: 'h',
});

describe('ITSM rules', () => {
  test('Approve opens, end states close with their outcome, decisions note, the rest is ignored', () => {
    const plan = (action: string, after?: unknown) =>
      planItsmOperation(entry(action, after), 'REL-1', 'summary');
    assert.equal(plan('release.transitioned', { state: 'approve' })?.kind, 'open');
    assert.deepEqual(
      ['closed', 'failed', 'rolled-back', 'cancelled', 'no-go'].map(
        (state) => plan('release.transitioned', { state })?.outcome,
      ),
      ['successful', 'unsuccessful', 'unsuccessful', 'cancelled', 'cancelled'],
    );
    assert.equal(plan('release.transitioned', { state: 'deploy' })?.kind, 'update');
    for (const action of [
      'approval.given',
      'cab.decision.recorded',
      'go-no-go.recorded',
      'deployment.recorded',
    ])
      assert.equal(plan(action)?.kind, 'update', action);
    assert.equal(plan('cab.decision.recorded.refused'), null);
    assert.equal(plan('release.created'), null);
    assert.equal(planItsmOperation(entry('approval.given'), undefined, 's'), null);
    assert.equal(plan('approval.given')?.note, '[Gatehouse 2026-03-02T10:00:00.000Z] summary');
  });

  test('verdicts: 2xx done; 5xx, 408, 429 and no answer retried; other 4xx permanent', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    assert.equal(verdictOf(201, null, now).verdict, 'done');
    for (const status of [500, 502, 503, 408, 429, null])
      assert.equal(verdictOf(status, null, now).verdict, 'retry', String(status));
    for (const status of [400, 401, 403, 404, 409, 422])
      assert.equal(verdictOf(status, null, now).verdict, 'permanent', String(status));
  });

  test('Retry-After: delay-seconds or an HTTP-date; nonsense ignored; capped', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Mon, 02 Mar 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Mon, 02 Mar 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter('-5', now), null);
    assert.equal(parseRetryAfter(null, now), null);
    assert.equal(nextWaitMs({ retryAfterMs: 120_000 }, 750, 60_000), 60_000);
    assert.equal(nextWaitMs({ retryAfterMs: null }, 750, 60_000), 750);
  });
});
