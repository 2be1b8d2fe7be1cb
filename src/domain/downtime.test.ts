import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downtimeProblems, downtimeRecipients, localWindow } from './downtime.js';

test('the window is shown in the recipient zone, with daylight saving applied', () => {
  assert.equal(
    localWindow('2026-11-24T02:00:00.000Z', '2026-11-24T04:00:00.000Z', 'Europe/Berlin'),
    'Tue 24 Nov 2026 03:00–05:00 GMT+1 (Europe/Berlin)'.replace('GMT+1', localZoneAbbrev()),
  );
  assert.match(
    localWindow('2026-07-01T02:00:00.000Z', '2026-07-01T04:00:00.000Z', 'America/New_York'),
    /^Tue 30 Jun 2026 22:00 .* – Wed 1 Jul 2026 00:00 .* \(America\/New_York\)$/,
  );
  assert.match(
    localWindow('2026-07-01T02:00:00.000Z', '2026-07-01T04:00:00.000Z', null),
    /02:00–04:00 UTC \(UTC: the team has no time zone\)$/,
  );
});

// ICU spells Berlin's winter offset "CET" or "GMT+1" depending on its data; accept its own.
function localZoneAbbrev(): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', timeZoneName: 'short' })
    .formatToParts(new Date('2026-11-24T02:00:00Z'))
    .find((p) => p.type === 'timeZoneName')!.value;
}

test('recipients are the owners of every service downstream, grouped by team', () => {
  const edges = new Map([
    ['ledger', ['auth']],
    ['payments-api', ['ledger', 'auth']],
    ['web', ['payments-api']],
    ['auth', []],
  ]);
  const owners = new Map([
    ['auth', { team: 'platform', timeZone: 'America/New_York' }],
    ['ledger', { team: 'payments', timeZone: 'Europe/Berlin' }],
    ['payments-api', { team: 'payments', timeZone: 'Europe/Berlin' }],
    ['web', { team: 'storefront', timeZone: 'Asia/Tokyo' }],
  ]);
  const window = { start: '2026-11-24T02:00:00.000Z', end: '2026-11-24T04:00:00.000Z' };
  const recipients = downtimeRecipients(edges, ['auth'], owners, window);
  assert.deepEqual(
    recipients.map((r) => [r.team, r.services]),
    [
      ['payments', ['ledger', 'payments-api']],
      ['storefront', ['web']],
    ],
  );
  assert.match(recipients[1]!.localWindow, /^Tue 24 Nov 2026 11:00–13:00 .* \(Asia\/Tokyo\)$/);
  assert.deepEqual(downtimeRecipients(edges, ['web'], owners, window), []);
});

test('bad windows are explained field by field', () => {
  const now = new Date('2026-11-01T00:00:00Z');
  const at = (start: string, end: string) =>
    downtimeProblems({ start, end, description: 'x' }, now).map((p) => `${p.field}: ${p.reason}`);
  assert.deepEqual(at('2026-11-24T02:00:00Z', '2026-11-24T04:00:00Z'), []);
  assert.match(at('2026-11-24T04:00:00Z', '2026-11-24T02:00:00Z')[0]!, /\/end: must be after/);
  assert.match(at('2026-10-01T00:00:00Z', '2026-10-01T02:00:00Z')[0]!, /already over/);
  assert.match(at('2026-11-24T00:00:00Z', '2026-12-24T00:00:00Z')[0]!, /at most 7 days/);
});
