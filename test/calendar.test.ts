/**
 * The calendar end to end over HTTP on both engines: windows and their bad input,
 * the freeze check and emergency exceptions, and conflicts among planned releases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ICAL from 'ical.js';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const weekendFreeze = {
  name: 'weekend-freeze',
  kind: 'freeze',
  timeZone: 'Europe/Berlin',
  start: '2026-01-02T18:00',
  end: '2026-01-05T06:00',
  rrule: 'FREQ=WEEKLY;BYDAY=FR',
  scope: { tier: 1 },
  environments: ['prod'],
  description: 'No tier-1 production changes over the weekend',
};

function assertFieldProblem(response: { status: number; body: any }, field: string): void {
  assert.equal(response.status, 400, JSON.stringify(response.body));
  assert.ok(
    response.body.errors?.some((e: { field: string }) => e.field === field),
    `expected a problem for ${field}: ${JSON.stringify(response.body.errors)}`,
  );
}

for (const engine of await engines()) {
  describe(`calendar over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let viewerToken: string;

    before(async () => {
      server = await startTestServer(engine);
      const catalog = {
        ...TEST_CATALOG,
        environments: TEST_CATALOG.environments.map((e) =>
          e.name === 'prod' ? { ...e, capacity: 2 } : e,
        ),
      };
      assert.equal((await server.call('POST', '/catalog/apply', { body: catalog })).status, 200);
      await server.call('POST', '/users', { body: { name: 'vera', roles: ['viewer'] } });
      viewerToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'vera' } }))
        .body.token;
    });
    after(async () => server?.close());

    test('a recurring freeze is created, listed and expanded in local time across DST', async () => {
      const created = await server.call('POST', '/calendar/windows', { body: weekendFreeze });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.rrule, 'FREQ=WEEKLY;BYDAY=FR');
      const listed = await server.call('GET', '/calendar/windows?kind=freeze');
      assert.deepEqual(
        listed.body.items.map((w: { name: string }) => w.name),
        ['weekend-freeze'],
      );
      const around = await server.call(
        'GET',
        '/calendar/windows/weekend-freeze/occurrences?from=2026-03-20T00:00:00Z&to=2026-04-06T00:00:00Z',
      );
      assert.deepEqual(around.body.items, [
        { start: '2026-03-20T17:00:00.000Z', end: '2026-03-23T05:00:00.000Z' },
        { start: '2026-03-27T17:00:00.000Z', end: '2026-03-30T04:00:00.000Z' },
        { start: '2026-04-03T16:00:00.000Z', end: '2026-04-06T04:00:00.000Z' },
      ]);
      const again = await server.call('POST', '/calendar/windows', { body: weekendFreeze });
      assert.equal(again.status, 409);
    });

    test('bad windows are refused naming the field, and nothing is written', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ rrule: 'FREQ=SOMETIMES' }, '/rrule'],
        [{ rrule: 'FREQ=WEEKLY;BYDAY=XX' }, '/rrule'],
        [{ timeZone: 'Europe/Atlantis' }, '/timeZone'],
        [{ end: '2026-01-02T17:00' }, '/end'],
        [{ start: '2026-03-29T02:30', end: '2026-03-29T06:00', rrule: undefined }, '/start'],
        [{ kind: 'release', capacity: 0 }, '/capacity'],
        [{ capacity: 2 }, '/capacity'],
        [{ environments: ['moon'] }, '/environments/0'],
        [{ scope: { services: ['nope'] } }, '/scope/services/0'],
        [{ start: 'Friday evening' }, '/body/start'],
        [{ colour: 'red' }, '/body/colour'],
      ];
      for (const [change, field] of cases) {
        const body = { ...weekendFreeze, name: 'bad-one', ...change };
        assertFieldProblem(await server.call('POST', '/calendar/windows', { body }), field);
      }
      const listed = await server.call('GET', '/calendar/windows');
      assert.ok(!listed.body.items.some((w: { name: string }) => w.name === 'bad-one'));
    });

    test('calendar check: forbidden in the freeze with the window and when it ends; allowed outside', async () => {
      const sunday = await server.call(
        'GET',
        '/calendar/check?service=ledger&environment=prod&at=2026-10-25T10:00:00Z',
        { token: viewerToken },
      );
      assert.equal(sunday.status, 200, JSON.stringify(sunday.body));
      assert.equal(sunday.body.allowed, false);
      assert.equal(sunday.body.forbiddenBy[0].window, 'weekend-freeze');
      assert.equal(sunday.body.allowedFrom, '2026-10-26T05:00:00.000Z');
      const tier2 = await server.call(
        'GET',
        '/calendar/check?service=payments-api&environment=prod&at=2026-10-25T10:00:00Z',
      );
      assert.equal(tier2.body.allowed, true);
      const monday = await server.call(
        'GET',
        '/calendar/check?service=ledger&environment=prod&at=2026-10-26T05:00:00Z',
      );
      assert.equal(monday.body.allowed, true);
      const unknown = await server.call('GET', '/calendar/check?service=nope&environment=prod');
      assertFieldProblem(unknown, 'service');
      const badAt = await server.call(
        'GET',
        '/calendar/check?service=ledger&environment=prod&at=sunday',
      );
      assert.equal(badAt.status, 400);
    });

    test('an emergency release passes the freeze only with an approved, audited exception', async () => {
      const emergency = await server.call('POST', '/releases', {
        body: releaseBody({
          classification: 'emergency',
          services: [{ service: 'ledger', version: '9.9.1' }],
        }),
      });
      assert.equal(emergency.status, 201, JSON.stringify(emergency.body));
      const key = emergency.body.key;
      const normal = await server.call('POST', '/releases', { body: releaseBody() });
      const url = `/calendar/check?service=ledger&environment=prod&at=2026-10-25T10:00:00Z&release=${key}`;
      assert.equal((await server.call('GET', url)).body.allowed, false);

      const refused = await server.call('POST', '/calendar/freeze-exceptions', {
        body: { window: 'weekend-freeze', release: normal.body.key, reason: 'want to' },
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'not-an-emergency');
      const forbidden = await server.call('POST', '/calendar/freeze-exceptions', {
        token: viewerToken,
        body: { window: 'weekend-freeze', release: key, reason: 'outage' },
      });
      assert.equal(forbidden.status, 403);

      const approved = await server.call('POST', '/calendar/freeze-exceptions', {
        body: { window: 'weekend-freeze', release: key, reason: 'card payments failing' },
      });
      assert.equal(approved.status, 201, JSON.stringify(approved.body));
      const decision = (await server.call('GET', url)).body;
      assert.equal(decision.allowed, true);
      assert.equal(decision.passedByException[0].exception.reason, 'card payments failing');
      const audit = await server.call('GET', '/audit?limit=500');
      assert.ok(
        audit.body.items.some(
          (e: { action: string; subjectId: string }) =>
            e.action === 'calendar.freeze-exception-approved' && e.subjectId === key,
        ),
        'the approval is in the audit chain',
      );
      const kept = await server.call('DELETE', '/calendar/windows/weekend-freeze');
      assert.equal(kept.status, 409, 'a freeze with exceptions stays as evidence');
    });

    test('conflicts: same service, shared environment, dependent services, capacity, inside a freeze', async () => {
      const window = (start: string, end: string, environment = 'prod') => ({
        start,
        end,
        environment,
      });
      const plan = async (services: string[], w: ReturnType<typeof window>) => {
        const response = await server.call('POST', '/releases', {
          body: releaseBody({
            services: services.map((service) => ({ service, version: '1.0.0' })),
            plannedWindow: w,
          }),
        });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        return response.body.key as string;
      };
      // Tuesday 1 December 2026, outside the weekend freeze.
      const a = await plan(
        ['payments-api'],
        window('2026-12-01T09:00:00Z', '2026-12-01T12:00:00Z'),
      );
      const b = await plan(['ledger'], window('2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z'));
      const c = await plan(
        ['payments-api'],
        window('2026-12-01T10:30:00Z', '2026-12-01T13:00:00Z'),
      );
      // Saturday 5 December, inside the freeze for tier 1 (ledger).
      const d = await plan(['ledger'], window('2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z'));
      const response = await server.call(
        'GET',
        '/calendar/conflicts?from=2026-11-30T00:00:00Z&to=2026-12-07T00:00:00Z',
        { token: viewerToken },
      );
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const found = response.body.conflicts.map(
        (x: { kind: string; releases: string[] }) => `${x.kind}:${x.releases.join('+')}`,
      );
      for (const expected of [
        `dependent-services:${a}+${b}`,
        `shared-environment:${a}+${b}`,
        `same-service:${a}+${c}`,
        `inside-freeze:${d}`,
      ])
        assert.ok(found.includes(expected), `${expected} in ${found.join(', ')}`);
      assert.ok(
        found.some((x: string) => x.startsWith('over-capacity:')),
        found.join(', '),
      );
      const reasons = response.body.conflicts.map((x: { reason: string }) => x.reason).join('\n');
      assert.match(reasons, /during freeze weekend-freeze/);
      const onlyD = await server.call(
        'GET',
        `/calendar/conflicts?from=2026-11-30T00:00:00Z&to=2026-12-07T00:00:00Z&release=${d}`,
      );
      assert.deepEqual(
        onlyD.body.conflicts.map((x: { kind: string }) => x.kind),
        ['inside-freeze'],
      );
      const backwards = await server.call(
        'GET',
        '/calendar/conflicts?from=2026-12-07T00:00:00Z&to=2026-11-30T00:00:00Z',
      );
      assertFieldProblem(backwards, 'to');
    });

    test('iCalendar feeds parse back with an independent library: freezes and releases as events', async () => {
      const response = await server.call(
        'GET',
        '/calendar.ics?from=2026-11-30T00:00:00Z&to=2026-12-14T00:00:00Z',
        { token: viewerToken },
      );
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/calendar/);
      const text = response.body as string;
      assert.ok(text.includes('\r\n'), 'lines end in CRLF');
      for (const line of text.split('\r\n'))
        assert.ok(Buffer.byteLength(line) <= 75, `folded to 75 octets: ${line}`);
      const calendar = new ICAL.Component(ICAL.parse(text));
      assert.equal(calendar.name, 'vcalendar');
      assert.equal(calendar.getFirstPropertyValue('version'), '2.0');
      const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      const freezes = events.filter((e) => e.summary === 'Freeze: weekend-freeze');
      assert.deepEqual(
        freezes.map((e) => e.startDate.toJSDate().toISOString()),
        // The first began before the feed's period and is still in force at its start.
        ['2026-11-27T17:00:00.000Z', '2026-12-04T17:00:00.000Z', '2026-12-11T17:00:00.000Z'],
      );
      assert.equal(freezes[1]!.endDate.toJSDate().toISOString(), '2026-12-07T05:00:00.000Z');
      const releases = events.filter((e) => /^REL-\d+ /.test(e.summary));
      assert.ok(releases.length >= 4, `releases in the feed: ${releases.length}`);
      assert.ok(new Set(events.map((e) => e.uid)).size === events.length, 'unique UIDs');

      const team = await server.call(
        'GET',
        '/teams/platform/calendar.ics?from=2026-11-30T00:00:00Z&to=2026-12-14T00:00:00Z',
      );
      assert.equal(team.status, 200);
      const platform = new ICAL.Component(ICAL.parse(team.body as string))
        .getAllSubcomponents('vevent')
        .map((v) => new ICAL.Event(v).summary);
      // platform owns auth (tier 1, so the freeze covers it) and no planned release.
      assert.ok(platform.includes('Freeze: weekend-freeze'));
      assert.ok(!platform.some((s) => s.startsWith('REL-')), platform.join(', '));
      assert.equal((await server.call('GET', '/teams/nobody/calendar.ics')).status, 404);
    });

    test("the gate's freeze rule: the same decision, and only the exception the policy names counts", async () => {
      // A one-off freeze in force now (the server's clock is real), for payments-api only.
      const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
      const created = await server.call('POST', '/calendar/windows', {
        body: {
          name: 'incident-freeze',
          kind: 'freeze',
          timeZone: 'UTC',
          start: local(Date.now() - 3_600_000),
          end: local(Date.now() + 2 * 86_400_000),
          scope: { services: ['payments-api'] },
          environments: ['prod'],
          description: 'Hands off payments while the incident is open',
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await server.call('POST', '/users', { body: { name: 'cora', roles: ['cab-member'] } });
      const cabToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'cora' } }))
        .body.token;
      const release = async (classification: string) => {
        const response = await server.call('POST', '/releases', {
          body: releaseBody({
            classification,
            services: [{ service: 'payments-api', version: '7.0.1' }],
          }),
        });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        return response.body.key as string;
      };
      const freezeRule = async (key: string) => {
        const gate = await server.call('GET', `/releases/${key}/gates/prod`);
        assert.equal(gate.status, 200, JSON.stringify(gate.body));
        return gate.body.rules.find((r: { rule: string }) => r.rule === 'freeze-window');
      };

      const normal = await release('minor');
      const frozen = await freezeRule(normal);
      assert.equal(frozen.result, 'fail');
      assert.match(frozen.reason, /payments-api is frozen by incident-freeze .*allowed again from/);
      const check = await server.call(
        'GET',
        `/calendar/check?service=payments-api&environment=prod&release=${normal}`,
      );
      assert.equal(check.body.allowed, false, 'calendar check gives the same answer');
      assert.equal(check.body.forbiddenBy[0].window, 'incident-freeze');
      const uat = await server.call('GET', `/releases/${normal}/gates/uat`);
      assert.equal(
        uat.body.rules.find((r: { rule: string }) => r.rule === 'freeze-window').result,
        'pass',
        'the freeze is scoped to prod',
      );

      const byCab = await release('emergency');
      assert.equal((await freezeRule(byCab)).result, 'fail');
      const approved = await server.call('POST', '/calendar/freeze-exceptions', {
        token: cabToken,
        body: { window: 'incident-freeze', release: byCab, reason: 'the fix for the incident' },
      });
      assert.equal(approved.status, 201, JSON.stringify(approved.body));
      const passed = await freezeRule(byCab);
      assert.equal(passed.result, 'pass', passed.reason);
      assert.match(passed.reason, /passes incident-freeze by the exception cora \(cab-member\)/);

      // The emergency policy names cab-member or release-manager; an admin's exception is recorded but does not count.
      const byAdmin = await release('emergency');
      await server.call('POST', '/calendar/freeze-exceptions', {
        body: { window: 'incident-freeze', release: byAdmin, reason: 'the fix' },
      });
      const refused = await freezeRule(byAdmin);
      assert.equal(refused.result, 'fail');
      assert.match(refused.reason, /needs one approved by cab-member or release-manager/);
    });
  });
}
