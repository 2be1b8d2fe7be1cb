import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectConflicts, type PlannedRelease, type PlanningFacts } from './conflicts.js';
import type { CalendarWindow } from './window.js';

const h = (hour: number) => Date.parse('2026-06-01T00:00:00Z') + hour * 3600_000;
const release = (
  key: string,
  services: string[],
  environment: string | null,
  from: number,
  to: number,
): PlannedRelease => ({
  key,
  services,
  environment,
  changeType: 'normal',
  start: h(from),
  end: h(to),
});
const freeze: CalendarWindow = {
  id: 'f',
  name: 'monday-freeze',
  kind: 'freeze',
  timeZone: 'UTC',
  start: '2026-06-01T20:00',
  end: '2026-06-01T23:00',
  rrule: null,
  scope: { tier: 1 },
  environments: ['prod'],
  capacity: null,
  description: '',
};

function facts(releases: PlannedRelease[], windows: CalendarWindow[] = []): PlanningFacts {
  return {
    releases,
    windows,
    edges: new Map([
      ['payments-api', ['ledger', 'auth']],
      ['ledger', ['auth']],
      ['auth', []],
      ['search', []],
    ]),
    services: new Map([
      ['auth', { tier: 1 }],
      ['ledger', { tier: 1 }],
      ['payments-api', { tier: 2 }],
      ['search', { tier: 3 }],
    ]),
    environments: new Map([
      ['uat', { capacity: null, regions: ['eu-west'] }],
      ['prod', { capacity: 2, regions: ['eu-west'] }],
    ]),
  };
}

const kinds = (found: { kind: string; releases: string[] }[]) =>
  found.map((c) => `${c.kind}:${c.releases.join('+')}`).sort();

test('the same service twice in overlapping windows, in the same environment', () => {
  const found = detectConflicts(
    facts([release('R1', ['ledger'], 'uat', 0, 4), release('R2', ['ledger'], 'uat', 3, 5)]),
  );
  assert.deepEqual(kinds(found), ['same-service:R1+R2', 'shared-environment:R1+R2']);
  assert.match(found.find((c) => c.kind === 'same-service')!.reason, /both change ledger/);
});

test('back-to-back windows and different environments do not conflict', () => {
  assert.deepEqual(
    detectConflicts(
      facts([release('R1', ['ledger'], 'uat', 0, 4), release('R2', ['ledger'], 'uat', 4, 5)]),
    ),
    [],
  );
  assert.deepEqual(
    detectConflicts(
      facts([release('R1', ['ledger'], 'uat', 0, 4), release('R2', ['ledger'], 'prod', 1, 2)]),
    ),
    [],
  );
});

test('services that depend on each other, directly or through another, in overlapping windows', () => {
  const found = detectConflicts(
    facts([
      release('R1', ['payments-api'], null, 0, 4),
      release('R2', ['auth'], null, 1, 2),
      release('R3', ['search'], null, 1, 2),
    ]),
  );
  assert.deepEqual(kinds(found), ['dependent-services:R1+R2']);
  assert.match(found[0]!.reason, /payments-api → auth/);
});

test('more releases at once than the environment holds', () => {
  const found = detectConflicts(
    facts([
      release('R1', ['search'], 'prod', 0, 4),
      release('R2', ['payments-api'], 'prod', 1, 3),
      release('R4', ['payments-api'], 'prod', 2, 6),
    ]),
  );
  const over = found.filter((c) => c.kind === 'over-capacity');
  assert.equal(over.length, 1);
  assert.deepEqual(over[0]!.releases, ['R1', 'R2', 'R4']);
  assert.equal(over[0]!.from, new Date(h(2)).toISOString());
  assert.equal(over[0]!.to, new Date(h(3)).toISOString());
  assert.match(over[0]!.reason, /3 releases overlap in prod .* holds 2 at once/);
});

test('a release window with a capacity counts the releases inside it', () => {
  const window: CalendarWindow = {
    ...freeze,
    name: 'thursday-window',
    kind: 'release',
    scope: {},
    environments: [],
    capacity: 1,
    start: '2026-06-01T00:00',
    end: '2026-06-01T10:00',
  };
  const found = detectConflicts(
    facts(
      [release('R1', ['search'], 'uat', 0, 2), release('R2', ['ledger'], 'prod', 1, 3)],
      [window],
    ),
  );
  assert.deepEqual(kinds(found), ['over-capacity:R1+R2']);
  assert.equal(found[0]!.window, 'thursday-window');
});

test('a release inside a freeze that covers one of its services; an emergency exception lifts it', () => {
  const planned = [
    release('R1', ['ledger', 'search'], 'prod', 19, 21),
    release('R2', ['search'], 'prod', 21, 22),
    release('R3', ['ledger'], 'uat', 21, 22),
  ];
  const found = detectConflicts(facts(planned, [freeze]));
  assert.deepEqual(kinds(found), ['inside-freeze:R1']);
  assert.deepEqual(found[0]!.services, ['ledger']);
  assert.equal(found[0]!.window, 'monday-freeze');
  const emergency = { ...planned[0]!, changeType: 'emergency' };
  const excepted = detectConflicts({
    ...facts([emergency], [freeze]),
    exceptions: [
      {
        id: 'x',
        window: 'monday-freeze',
        release: 'R1',
        reason: 'outage',
        approvedBy: 'erin',
        approvedAt: '',
      },
    ],
  });
  assert.deepEqual(excepted, []);
});
