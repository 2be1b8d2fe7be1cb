import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { decideFreeze } from './freeze.js';
import {
  instantOf,
  nextBoundary,
  occurrencesBetween,
  rruleProblem,
  windowProblems,
  type CalendarWindow,
  type WindowInput,
} from './window.js';

const weekendFreeze: CalendarWindow = {
  id: 'w1',
  name: 'weekend-freeze',
  kind: 'freeze',
  timeZone: 'Europe/Berlin',
  start: '2026-01-02T18:00',
  end: '2026-01-05T06:00',
  rrule: 'FREQ=WEEKLY;BYDAY=FR',
  scope: {},
  environments: ['prod'],
  capacity: null,
  description: 'no weekend changes',
};

const ledger = { name: 'ledger', tier: 1 };
const prod = { name: 'prod', regions: ['eu-west'] };
const at = (iso: string) => new Date(iso);
const berlinLocal = (ms: number) =>
  new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' }).slice(0, 16);

describe('recurring windows across daylight-saving changes', () => {
  test('Friday 18:00 – Monday 06:00 Europe/Berlin holds in winter, summer and across both changes', () => {
    const all = occurrencesBetween(
      weekendFreeze,
      Date.parse('2026-01-01'),
      Date.parse('2027-01-01'),
    );
    assert.equal(all.length, 52);
    for (const o of all) {
      assert.match(berlinLocal(o.start), /T?18:00$/);
      assert.match(berlinLocal(o.end), /06:00$/);
      assert.equal(
        new Date(o.start).toLocaleDateString('en-GB', {
          weekday: 'long',
          timeZone: 'Europe/Berlin',
        }),
        'Friday',
      );
    }
    // Spring forward (29 March 2026): Friday 18:00 CET = 17:00Z, Monday 06:00 CEST = 04:00Z.
    const march = all.find((o) => new Date(o.start).toISOString() === '2026-03-27T17:00:00.000Z');
    assert.ok(march);
    assert.equal(new Date(march.end).toISOString(), '2026-03-30T04:00:00.000Z');
    assert.equal(march.end - march.start, 59 * 3600_000, 'one hour shorter across the change');
    // Fall back (25 October 2026): Friday 18:00 CEST = 16:00Z, Monday 06:00 CET = 05:00Z.
    const october = all.find((o) => new Date(o.start).toISOString() === '2026-10-23T16:00:00.000Z');
    assert.ok(october);
    assert.equal(new Date(october.end).toISOString(), '2026-10-26T05:00:00.000Z');
    assert.equal(october.end - october.start, 61 * 3600_000, 'one hour longer across the change');
  });

  test('the freeze forbids Sunday night and Monday 05:59 local, allows Monday 06:00 local, either side of each change', () => {
    const cases: Array<[string, boolean]> = [
      ['2026-03-27T16:59:00Z', true], // Fri 17:59 CET
      ['2026-03-27T17:00:00Z', false], // Fri 18:00 CET
      ['2026-03-29T01:30:00Z', false], // the missing hour itself
      ['2026-03-30T03:59:00Z', false], // Mon 05:59 CEST
      ['2026-03-30T04:00:00Z', true], // Mon 06:00 CEST
      ['2026-10-23T15:59:00Z', true], // Fri 17:59 CEST
      ['2026-10-23T16:00:00Z', false], // Fri 18:00 CEST
      ['2026-10-25T00:30:00Z', false], // the repeated hour, first pass
      ['2026-10-26T04:59:00Z', false], // Mon 05:59 CET
      ['2026-10-26T05:00:00Z', true], // Mon 06:00 CET
    ];
    for (const [instant, allowed] of cases) {
      const decision = decideFreeze([weekendFreeze], {
        service: ledger,
        environment: prod,
        at: at(instant),
      });
      assert.equal(decision.allowed, allowed, instant);
      if (!allowed) {
        assert.equal(decision.forbiddenBy[0]!.window, 'weekend-freeze');
        assert.match(decision.allowedFrom!, /T0[45]:00:00.000Z$/);
      }
    }
  });

  test('the freeze does not cover other environments or other services when scoped', () => {
    const sunday = at('2026-03-29T10:00:00Z');
    assert.equal(
      decideFreeze([weekendFreeze], {
        service: ledger,
        environment: { name: 'uat', regions: [] },
        at: sunday,
      }).allowed,
      true,
    );
    const scoped = { ...weekendFreeze, scope: { services: ['payments-api'] } };
    assert.equal(
      decideFreeze([scoped], { service: ledger, environment: prod, at: sunday }).allowed,
      true,
    );
    const tiered = { ...weekendFreeze, scope: { tier: 1 } };
    assert.equal(
      decideFreeze([tiered], { service: ledger, environment: prod, at: sunday }).allowed,
      false,
    );
    const regional = { ...weekendFreeze, scope: { region: 'us-east' } };
    assert.equal(
      decideFreeze([regional], { service: ledger, environment: prod, at: sunday }).allowed,
      true,
    );
  });

  test('back-to-back freezes: allowed from the end of the last one', () => {
    const holiday: CalendarWindow = {
      ...weekendFreeze,
      id: 'w2',
      name: 'year-end',
      rrule: null,
      start: '2026-12-28T06:00',
      end: '2027-01-04T09:00',
    };
    const decision = decideFreeze([weekendFreeze, holiday], {
      service: ledger,
      environment: prod,
      at: at('2026-12-26T12:00:00Z'),
    });
    assert.equal(decision.allowed, false);
    assert.equal(decision.allowedFrom, '2027-01-04T08:00:00.000Z');
  });

  test('an emergency release passes a freeze only with an exception for that freeze', () => {
    const sunday = at('2026-03-29T10:00:00Z');
    const exception = {
      id: 'x',
      window: 'weekend-freeze',
      release: 'REL-7',
      reason: 'card outage',
      approvedBy: 'erin',
      approvedAt: '2026-03-29T09:00:00Z',
    };
    const ask = (changeType: string) =>
      decideFreeze(
        [weekendFreeze],
        { service: ledger, environment: prod, at: sunday, release: { key: 'REL-7', changeType } },
        [exception],
      );
    assert.equal(ask('normal').allowed, false, 'a normal release cannot use an exception');
    const emergency = ask('emergency');
    assert.equal(emergency.allowed, true);
    assert.equal(emergency.passedByException[0]!.exception.approvedBy, 'erin');
    const other = decideFreeze(
      [weekendFreeze],
      {
        service: ledger,
        environment: prod,
        at: sunday,
        release: { key: 'REL-8', changeType: 'emergency' },
      },
      [exception],
    );
    assert.equal(other.allowed, false, 'the exception is for REL-7 only');
  });
});

describe('bad windows are refused naming the field', () => {
  const good: WindowInput = {
    name: 'w',
    kind: 'freeze',
    timeZone: 'Europe/Berlin',
    start: '2026-03-27T18:00',
    end: '2026-03-30T06:00',
    rrule: 'FREQ=WEEKLY;BYDAY=FR',
  };
  const fields = (input: Partial<WindowInput>) =>
    windowProblems({ ...good, ...input }).map((p) => p.field);

  test('a sound window has no problems', () => assert.deepEqual(fields({}), []));
  test('unknown zone', () => assert.deepEqual(fields({ timeZone: 'Mars/Olympus' }), ['/timeZone']));
  test('end before start', () => assert.deepEqual(fields({ end: '2026-03-27T17:00' }), ['/end']));
  test('end equal to start', () => assert.deepEqual(fields({ end: '2026-03-27T18:00' }), ['/end']));
  test('a local time in the spring-forward gap', () =>
    assert.deepEqual(fields({ start: '2026-03-29T02:30', end: '2026-03-29T05:00' }), ['/start']));
  test('an impossible date', () => assert.deepEqual(fields({ end: '2026-02-30T06:00' }), ['/end']));
  test('capacity on a freeze, and an impossible capacity on a release window', () => {
    assert.deepEqual(fields({ capacity: 2 }), ['/capacity']);
    assert.deepEqual(fields({ kind: 'release', capacity: 0 }), ['/capacity']);
    assert.deepEqual(fields({ kind: 'release', capacity: 3 }), []);
  });
  test('invalid RRULEs', () => {
    for (const rule of [
      'FREQ=SOMETIMES',
      'BYDAY=FR',
      'FREQ=WEEKLY;BYDAY=XX',
      'FOO=1',
      'garbage',
      'FREQ=MINUTELY',
      'DTSTART=20260101T000000Z;FREQ=DAILY',
      'FREQ=WEEKLY;INTERVAL=x',
    ])
      assert.ok(rruleProblem(rule), rule);
    assert.equal(rruleProblem('RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=12'), null);
    assert.deepEqual(fields({ rrule: 'FREQ=SOMETIMES' }), ['/rrule']);
  });
});

test('local times resolve to the same instants luxon gives, gaps and repeated hours included', () => {
  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'America/Santiago',
    'UTC',
  ];
  let checked = 0;
  for (const zone of zones)
    for (let day = 0; day < 366; day += 3)
      for (const hour of [0, 1, 2, 3, 12, 23]) {
        const local = new Date(Date.UTC(2026, 0, 1 + day, hour, 30));
        const expected = DateTime.fromObject(
          {
            year: local.getUTCFullYear(),
            month: local.getUTCMonth() + 1,
            day: local.getUTCDate(),
            hour: local.getUTCHours(),
            minute: local.getUTCMinutes(),
          },
          { zone },
        ).toMillis();
        assert.equal(instantOf(local.getTime(), zone), expected, `${local.toISOString()} ${zone}`);
        checked++;
      }
  assert.ok(checked > 3000);
});

describe('nextBoundary', () => {
  test('the next start or end of a recurring window, across the spring change', () => {
    // Friday 27 March 2026, 17:00 Berlin (CET, UTC+1): the freeze starts at 18:00 = 17:00Z.
    const friday = Date.parse('2026-03-27T16:00:00Z');
    assert.equal(
      new Date(nextBoundary([weekendFreeze], friday, 86_400_000)).toISOString(),
      '2026-03-27T17:00:00.000Z',
    );
    // Inside it, the next edge is Monday 06:00 Berlin, by then CEST (UTC+2) = 04:00Z.
    const saturday = Date.parse('2026-03-28T12:00:00Z');
    assert.equal(
      new Date(nextBoundary([weekendFreeze], saturday, 3 * 86_400_000)).toISOString(),
      '2026-03-30T04:00:00.000Z',
    );
  });

  test('the horizon when nothing starts or ends before it; an edge at the instant itself is past', () => {
    const tuesday = Date.parse('2026-03-31T10:00:00Z');
    assert.equal(nextBoundary([weekendFreeze], tuesday, 3_600_000), tuesday + 3_600_000);
    assert.equal(nextBoundary([], tuesday, 60_000), tuesday + 60_000);
    const start = Date.parse('2026-03-27T17:00:00Z');
    assert.equal(
      new Date(nextBoundary([weekendFreeze], start, 4 * 86_400_000)).toISOString(),
      '2026-03-30T04:00:00.000Z',
    );
  });
});
