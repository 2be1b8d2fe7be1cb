import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Release } from './release.js';
import {
  generateNotes,
  patternsFor,
  stripPatternProblem,
  stripText,
  type Stripping,
} from './release-notes.js';

const release: Release = {
  id: 'r1',
  key: 'REL-7',
  title: 'Payments API 2.4',
  version: '2.4.0',
  state: 'plan',
  classification: 'minor',
  changeType: 'normal',
  strategy: 'canary',
  services: [{ service: 'payments-api', version: '2.4.0', artifact: null }],
  scope: {
    features: ['Apple Pay at checkout (PAY-101)', 'Faster ledger sync via db1.payments.internal'],
    fixes: [
      'Refund rounding; crashed with TypeError at computeRefund (src/refund.ts:42:7)',
      'Timeouts talking to 10.2.3.4:5432',
      'PAY-202',
    ],
    exclusions: ['Google Pay'],
    workItems: ['PAY-101'],
    commits: ['a1b2c3d'],
  },
  justification: 'Customers asked',
  rollbackPlan: 'Redeploy 2.3.9',
  plannedWindow: null,
  team: 'payments',
  requester: 'rita',
  revision: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  stateChangedAt: '2026-01-01T00:00:00.000Z',
};

test('customer notes lose every internal identifier and list each stripping', () => {
  const notes = generateNotes(release, patternsFor(['ledger'], []), { securityFix: false });
  const customer = notes.customerMarkdown;
  for (const secret of [
    'PAY-101',
    'PAY-202',
    'db1.payments.internal',
    '10.2.3.4',
    'refund.ts',
    'ledger',
    'REL-7',
  ])
    assert.ok(!customer.includes(secret), `${secret} leaked into:\n${customer}`);
  assert.match(customer, /- Apple Pay at checkout\n/);
  assert.match(customer, /- Faster sync via\n/);
  assert.ok(!/PAY-202|^- $/m.test(customer), 'an item that was only a ticket key is dropped');
  const by = (p: string) => notes.strippings.filter((s) => s.pattern === p).map((s) => s.match);
  assert.deepEqual(by('ticket-key').sort(), ['PAY-101', 'PAY-202']);
  assert.deepEqual(by('internal-hostname'), ['db1.payments.internal']);
  assert.deepEqual(by('ipv4-address'), ['10.2.3.4:5432']);
  assert.deepEqual(by('stack-trace'), ['at computeRefund (src/refund.ts:42:7)']);
  assert.deepEqual(by('internal-service'), ['ledger']);
  assert.equal(notes.strippings.find((s) => s.match === 'PAY-202')?.where, 'fixes[2]');
});

test('internal notes keep everything', () => {
  const notes = generateNotes(release, patternsFor(['ledger'], []), { securityFix: true });
  for (const kept of [
    'REL-7',
    'PAY-101',
    'db1.payments.internal',
    'a1b2c3d',
    'Google Pay',
    'Security fix',
  ])
    assert.ok(notes.internalMarkdown.includes(kept), kept);
  assert.match(
    generateNotes(release, [], { securityFix: true }).customerMarkdown,
    /Fixes \(including security\)/,
  );
});

test("an admin's pattern is applied and reported under its name", () => {
  const strippings: Stripping[] = [];
  const out = stripText(
    'Moved to the Falcon cluster',
    'fixes[0]',
    patternsFor(
      [],
      [
        {
          name: 'codenames',
          pattern: '\\b(?:Falcon|Osprey)\\b',
          description: 'project code names',
        },
      ],
    ),
    strippings,
  );
  assert.equal(out, 'Moved to the cluster');
  assert.deepEqual(strippings, [{ pattern: 'codenames', match: 'Falcon', where: 'fixes[0]' }]);
});

test('unusable admin patterns are explained', () => {
  assert.equal(stripPatternProblem('\\bFalcon\\b'), null);
  assert.match(stripPatternProblem('(unclosed')!, /not a valid regular expression/);
  assert.match(stripPatternProblem('x*')!, /empty string/);
  const strippings: Stripping[] = [];
  const zeroWidth = [{ name: 'edges', pattern: '\\b', description: 'word edges' }];
  assert.equal(stripText('Apple Pay', 'title', zeroWidth, strippings), 'Apple Pay');
  assert.deepEqual(strippings, [], 'zero-width matches strip nothing and are not listed');
});
