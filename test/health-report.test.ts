/**
 * Defect density (GET /metrics/defect-density) and the quarterly health report
 * (GET /reports/quarterly/{quarter}) on a real port, on SQLite and PostgreSQL, over a
 * history recorded through the API: the figures, the three formats, anonymity (a seeded
 * person's name, e-mail or id never appears), and bad input refused naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HtmlValidate } from 'html-validate';
import { engines } from './support/engines.js';
import { PEOPLE, recordQuarterHistory, type QuarterHistory } from './support/quarter-history.js';
import { startTestServer, type TestServer } from './support/server.js';

for (const engine of await engines()) {
  describe(`health report over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let history: QuarterHistory;
    const userIds: string[] = [];

    before(async () => {
      server = await startTestServer(engine);
      history = await recordQuarterHistory(async (method, path, body) =>
        server.call(method, path, { body }),
      );
      const users = await server.call('GET', '/users');
      for (const u of users.body.items ?? users.body)
        if (u.name in PEOPLE) userIds.push(u.id as string);
      assert.equal(userIds.length, 2, JSON.stringify(users.body));
    });
    after(async () => server?.close());

    const density = (by: string) =>
      server.call(
        'GET',
        `/metrics/defect-density?since=${history.since}&until=${history.asOf}&by=${by}`,
      );

    test('defect density per release and per changed service, overall and by team', async () => {
      const response = await density('team');
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const { overall, groups } = response.body;
      assert.equal(
        overall.releases,
        4,
        'delivered releases only: a failed deployment delivers nothing',
      );
      assert.equal(overall.defects, 3);
      assert.equal(overall.changedServices, 5);
      assert.equal(overall.perRelease, 0.75);
      assert.equal(overall.perChangedService, 0.6);
      assert.equal(overall.releasesWithDefects, 2);
      assert.equal(overall.defectFreeShare, 0.5);
      assert.deepEqual(
        groups.map((g: any) => [g.group, g.releases, g.defects]),
        [
          ['payments', 3, 2],
          ['platform', 1, 1],
        ],
      );
    });

    test('by service, a release counts under each service it changed with that service’s defects', async () => {
      const response = await density('service');
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(
        response.body.groups.map((g: any) => [g.group, g.releases, g.defects]),
        [
          ['auth', 1, 1],
          ['ledger', 1, 1],
          ['payments-api', 3, 1],
        ],
      );
      assert.equal(response.body.overall.defects, 3, 'each release once overall');
      const byClass = await density('class');
      assert.deepEqual(
        byClass.body.groups.map((g: any) => [g.group, g.releases, g.defects]),
        [['minor', 4, 3]],
        'the rolled-back major release delivered nothing',
      );
    });

    test('defect density refuses an unbounded range or an unknown dimension, naming the field', async () => {
      const unbounded = await server.call('GET', `/metrics/defect-density?since=${history.since}`);
      assert.equal(unbounded.status, 400);
      assert.ok(unbounded.body.errors.some((e: any) => e.field === '/querystring/until'));
      const by = await server.call(
        'GET',
        `/metrics/defect-density?since=${history.since}&until=${history.asOf}&by=environment`,
      );
      assert.equal(by.status, 400);
      assert.match(JSON.stringify(by.body), /\/querystring\/by/);
    });

    test('the quarterly report as JSON: measures against the previous quarter, teams, factors, overdue actions', async () => {
      const response = await server.call('GET', `/reports/quarterly/${history.quarter}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const report = response.body;
      assert.equal(report.quarter, history.quarter);
      assert.equal(report.previousQuarter, history.previousQuarter);
      assert.equal(report.period.partial, true);
      const m = Object.fromEntries(report.measures.map((x: any) => [x.key, x]));
      assert.equal(m['defect-density'].current, 0.75);
      assert.equal(m['defect-density'].previous, 0);
      assert.equal(m['defect-density'].trend, 'worse');
      assert.equal(m['change-failure-rate'].previous, 0);
      assert.ok(m['change-failure-rate'].current > 0);
      assert.equal(m['change-failure-rate'].trend, 'worse');
      assert.equal(m.incidents.current, 4);
      assert.deepEqual(
        report.teams.map((t: any) => [t.team, t.deployments]),
        [
          ['payments', 4],
          ['platform', 1],
        ],
      );
      assert.deepEqual(
        report.factors.map((f: any) => [f.factor, f.reviews, f.services.join(',')]),
        [
          ['configuration-drift', 1, 'auth'],
          ['test-gap', 1, 'auth'],
        ],
      );
      assert.ok(report.weeks.length >= 1);
      // Both fall due at the same instant: compare them in a fixed order.
      const overdue = [...report.overdueActions].sort((a: any, b: any) =>
        a.owner.localeCompare(b.owner),
      );
      assert.deepEqual(
        overdue.map((a: any) => [a.owner, a.review, a.daysOverdue]),
        [
          ['an owner', history.review, 3],
          ['payments', history.review, 3],
        ],
        "an owner's team, or 'an owner' when the owner has none",
      );
      assert.match(overdue[1].title, /^a person to move signing keys .*\(ask a person\)$/);
    });

    test('HTML (valid, self-contained, with charts) and Markdown; no person named anywhere', async () => {
      const html = await server.call('GET', `/reports/quarterly/${history.quarter}?format=html`);
      assert.equal(html.status, 200);
      assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
      const text = html.body as string;
      assert.ok((text.match(/<svg /g) ?? []).length >= 5, 'five charts');
      assert.ok(!/<script|<link|src=|href=/i.test(text), 'nothing fetched, no script');
      assert.ok(text.includes('&lt;b&gt;per region&lt;/b&gt;'), 'text is escaped');
      const validation = await new HtmlValidate({
        extends: ['html-validate:standard'],
      }).validateString(text);
      assert.equal(
        validation.valid,
        true,
        JSON.stringify(validation.results.flatMap((r) => r.messages.map((m) => m.message))),
      );
      const md = await server.call('GET', `/reports/quarterly/${history.quarter}?format=markdown`);
      assert.equal(md.status, 200);
      assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
      assert.match(md.body, new RegExp(`^# Quarterly health report: ${history.quarter}`));
      assert.match(md.body, /\| Defects per release \| 0\.75 \| 0\.00 \| ▼ worse \|/);
      assert.match(md.body, /per region&lt;\/b&gt; \\\| both/);
      const json = JSON.stringify(
        (await server.call('GET', `/reports/quarterly/${history.quarter}`)).body,
      );
      for (const output of [text, md.body as string, json])
        for (const person of Object.values(PEOPLE))
          for (const mention of [
            person.name,
            person.email,
            ...person.displayName.split(' '),
            ...userIds,
          ])
            assert.ok(
              !new RegExp(`\\b${mention}\\b`, 'i').test(output),
              `'${mention}' appears in the report`,
            );
    });

    test('a malformed quarter is a 400 naming it; a future quarter is refused', async () => {
      for (const bad of ['2026-Q5', '2026Q3', 'Q3-2026', '26-Q1', 'x'.repeat(21)]) {
        const response = await server.call('GET', `/reports/quarterly/${bad}`);
        assert.equal(response.status, 400, bad);
        assert.ok(
          response.body.errors.some((e: any) => e.field === '/params/quarter'),
          JSON.stringify(response.body),
        );
      }
      const format = await server.call('GET', `/reports/quarterly/${history.quarter}?format=pdf`);
      assert.equal(format.status, 400);
      assert.match(JSON.stringify(format.body), /\/querystring\/format/);
      const future = await server.call('GET', `/reports/quarterly/${history.nextQuarter}`);
      assert.equal(future.status, 409, JSON.stringify(future.body));
      assert.equal(future.body.code, 'quarter-not-begun');
      assert.match(future.body.detail, new RegExp(`${history.nextQuarter} has not begun`));
    });

    test('a viewer may read it; nobody unauthenticated', async () => {
      await server.call('POST', '/users', { body: { name: 'val', roles: ['viewer'] } });
      const token = (await server.call('POST', '/tokens', { body: { name: 't', user: 'val' } }))
        .body.token;
      const read = await server.call('GET', `/reports/quarterly/${history.quarter}`, { token });
      assert.equal(read.status, 200);
      const anonymous = await server.call('GET', `/reports/quarterly/${history.quarter}`, {
        token: null,
      });
      assert.equal(anonymous.status, 401);
    });
  });
}
