import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloudEvent } from 'cloudevents';
import { isNotified, NOTIFIED_ACTIONS, toEvent, type AuditEntryForEvent } from './events.js';

const entry = (overrides: Partial<AuditEntryForEvent>): AuditEntryForEvent => ({
  seq: 42,
  at: '2026-11-23T10:00:00.000Z',
  actor: 'alice',
  action: 'release.transitioned',
  subjectType: 'release',
  subjectId: 'REL-7',
  before: { state: 'approve', revision: 3 },
  after: { state: 'deploy', revision: 4, reason: 'CAB said go' },
  hash: 'a'.repeat(64),
  ...overrides,
});

describe('events from audit entries', () => {
  test('a transition becomes a valid CloudEvents 1.0 event whose id is the audit sequence', () => {
    const event = toEvent(entry({}), 'urn:gatehouse')!;
    assert.equal(event.id, '42');
    assert.equal(event.type, 'dev.gatehouse.release.transitioned');
    assert.equal(event.subject, 'REL-7');
    assert.equal(event.time, '2026-11-23T10:00:00.000Z');
    assert.equal(event.data.summary, 'REL-7 moved from approve to deploy by alice: CAB said go');
    assert.equal(event.data.auditHash, 'a'.repeat(64));
    // The SDK's own validation of the spec's required and typed attributes.
    const checked = new CloudEvent(event as never, true);
    assert.equal(checked.validate(), true);
  });

  test('a deployment is about the release it carries', () => {
    const event = toEvent(
      entry({
        action: 'deployment.recorded',
        subjectType: 'deployment',
        subjectId: 'd-1',
        before: null,
        after: { release: 'REL-9', service: 'ledger', environment: 'prod', status: 'succeeded' },
      }),
      'urn:gatehouse',
    )!;
    assert.equal(event.subject, 'REL-9');
    assert.equal(event.data.summary, 'ledger succeeded in prod for REL-9');
  });

  test('a rollout decision goes out with its decision and reason', () => {
    const event = toEvent(
      entry({
        action: 'rollout.decided',
        after: { decision: 'roll-back', reason: 'error rate 7 % above 5 %' },
      }),
      's',
    )!;
    assert.equal(event.data.summary, 'Rollout of REL-7: roll-back (error rate 7 % above 5 %)');
  });

  test('actions added later (approvals, CAB) have rows; unknown ones of a known prefix go out generically', () => {
    for (const action of [
      'approval.given',
      'approval.escalated',
      'cab.decision.recorded',
      'go-no-go.recorded',
    ])
      assert.ok(action in NOTIFIED_ACTIONS, action);
    const generic = toEvent(
      entry({ action: 'review.opened', subjectType: 'review', subjectId: 'PIR-3' }),
      's',
    )!;
    assert.equal(generic.type, 'dev.gatehouse.review.opened');
    assert.equal(generic.subject, 'PIR-3');
    assert.equal(generic.data.summary, 'review.opened on review PIR-3 by alice');
  });

  test('administration and the notifications themselves are not notified', () => {
    for (const action of [
      'token.created',
      'user.created',
      'service.updated',
      'notification.subscription-created',
      'notification.redelivery-requested',
    ]) {
      assert.equal(isNotified(action), false, action);
      assert.equal(toEvent(entry({ action }), 's'), null, action);
    }
  });

  test('summaries tolerate an entry without the expected fields', () => {
    const event = toEvent(entry({ action: 'approval.given', after: null }), 's')!;
    assert.equal(event.data.summary, 'alice approved REL-7');
  });
});
