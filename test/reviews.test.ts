/**
 * Post-release reviews over HTTP on a real port, on SQLite and on PostgreSQL: opened by
 * policy in the transaction of the change that triggers them, blocking the release's
 * close while mandatory; the review itself (sections, assembled timeline, causes with
 * evidence, factors, blameless flags, action items, Markdown); closing refused naming
 * the field; lessons learned full-text; recurring factors; the triggers as policy data.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

// One anchor, so differences between these instants are exact.
const NOW = Date.now();
const minutesAgo = (n: number) => new Date(NOW - n * 60_000).toISOString();

function assertRefused(
  response: { status: number; body: any },
  status: number,
  fields: string[] = [],
): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.status, status);
  for (const field of fields)
    assert.ok(
      response.body.errors?.some((e: { field: string }) => e.field === field),
      `expected a problem for ${field}: ${JSON.stringify(response.body.errors)}`,
    );
}

for (const engine of await engines()) {
  describe(`post-release reviews over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    const tokens: Record<string, string> = {};
    const as = (user: string) => ({ token: tokens[user] });

    async function ok(method: string, path: string, body?: unknown, token?: string) {
      const response = await server.call(method, path, { body, token });
      assert.ok(response.status < 300, `${method} ${path}: ${JSON.stringify(response.body)}`);
      return response.body;
    }

    /** Raises a release and drives it to `to` (verify, rolled-back) with a prod deployment. */
    async function driveRelease(
      services: string[],
      classification: string,
      to: 'verify' | 'rolled-back' | 'deploy',
      beforeDeploy?: (release: string) => Promise<void>,
    ): Promise<{ key: string; deployments: string[] }> {
      const release = await ok(
        'POST',
        '/releases',
        releaseBody({
          classification,
          services: services.map((service) => ({ service, version: '3.1.0' })),
        }),
      );
      for (const state of ['prepare', 'test', 'approve', 'deploy'])
        await ok('POST', `/releases/${release.key}/transitions`, { to: state });
      await beforeDeploy?.(release.key);
      const deployments: string[] = [];
      for (const service of services)
        deployments.push(
          (
            await ok('POST', `/releases/${release.key}/deployments`, {
              service,
              environment: 'prod',
              region: 'eu-west',
              status: 'succeeded',
              startedAt: minutesAgo(30),
              finishedAt: minutesAgo(25),
              // These suites drive releases to their review triggers; the gate is tested elsewhere.
              historyImport: 'review-trigger fixture',
            })
          ).id,
        );
      if (to === 'verify') await ok('POST', `/releases/${release.key}/transitions`, { to });
      if (to === 'rolled-back')
        await ok('POST', `/releases/${release.key}/transitions`, {
          to,
          reason: 'error rate doubled after the canary step',
        });
      return { key: release.key, deployments };
    }

    const reviewOf = (release: string) => server.call('GET', `/reviews/${release}`);

    before(async () => {
      server = await startTestServer(engine);
      await ok('POST', '/catalog/apply', TEST_CATALOG);
      for (const [name, displayName, roles] of [
        ['vera', 'Vera Quinn', ['viewer']],
        ['dan', 'Daniel Okafor', ['deployer']],
        ['rita', 'Rita Lopez', ['release-manager']],
      ] as const) {
        await ok('POST', '/users', { name, displayName, roles });
        tokens[name] = (await ok('POST', '/tokens', { name: 'test', user: name })).token;
      }
    });
    after(async () => server?.close());

    describe('opened by policy', () => {
      test('a tier-1 release gets a light, mandatory review on reaching Verify and cannot close until it is closed', async () => {
        const { key, deployments } = await driveRelease(['ledger'], 'minor', 'verify');
        const review = await reviewOf(key);
        assert.equal(review.status, 200, JSON.stringify(review.body));
        assert.match(review.body.key, /^REV-\d+$/);
        assert.equal(review.body.template, 'light');
        assert.equal(review.body.mandatory, true);
        const listed = await ok('GET', `/reviews?release=${key}`);
        assert.deepEqual(
          listed.items.map((r: { key: string }) => r.key),
          [review.body.key],
        );
        assert.deepEqual((await ok('GET', '/reviews?release=REL-999999')).items, []);
        assert.deepEqual(
          review.body.triggers.map((t: { kind: string }) => t.kind),
          ['tier'],
        );
        assert.ok(Date.parse(review.body.dueAt) > Date.now() + 9 * 86_400_000);
        assert.deepEqual(
          review.body.sections.map((s: { name: string; kind: string }) => `${s.name}:${s.kind}`),
          ['summary:fact', 'impact:fact', 'lessons:analysis'],
        );

        const refused = await server.call('POST', `/releases/${key}/transitions`, {
          body: { to: 'closed' },
        });
        assertRefused(refused, 409);
        const check = refused.body.failedChecks.find(
          (c: { check: string }) => c.check === 'reviews-complete',
        );
        assert.ok(check, JSON.stringify(refused.body));
        assert.match(check.reason, new RegExp(`${review.body.key} \\(due .*\\) is still open`));

        const audit = await ok('GET', `/audit?subjectType=review&subjectId=${review.body.key}`);
        assert.ok(
          JSON.stringify(audit).includes('review.opened'),
          `no review.opened entry: ${JSON.stringify(audit).slice(0, 500)}`,
        );

        await ok('PATCH', `/reviews/${review.body.key}/sections`, {
          sections: { summary: 'Ledger 3.1 shipped.', lessons: 'Nothing new.' },
        });
        await ok('POST', `/reviews/${review.body.key}/close`);
        await ok('POST', `/releases/${key}/transitions`, { to: 'closed' });
        assert.equal((await ok('GET', '/lessons?q=ledger%20shipped')).items.length, 1);

        // A severity-1 incident traced to it later reopens the review, now full.
        await ok('POST', '/incidents', {
          title: 'Ledger double-posts',
          severity: 1,
          service: 'ledger',
          startedAt: minutesAgo(10),
          causedBy: deployments,
        });
        const reopened = (await reviewOf(key)).body;
        assert.equal(reopened.key, review.body.key, 'one review per release');
        assert.equal(reopened.status, 'open');
        assert.equal(reopened.template, 'full');
        assert.deepEqual(
          reopened.triggers.map((t: { kind: string }) => t.kind),
          ['tier', 'incident'],
        );
        assert.equal(
          reopened.sections.find((s: { name: string }) => s.name === 'summary').text,
          'Ledger 3.1 shipped.',
          'what was written is kept',
        );
        assert.deepEqual((await ok('GET', '/lessons?q=ledger%20shipped')).items, []);
        await ok('PATCH', `/reviews/${review.body.key}/sections`, {
          sections: {
            impact: '40 ledger entries posted twice.',
            detection: 'Reconciliation job.',
            response: 'Compensating entries.',
            'went-wrong': 'Idempotency keys were not checked on retry.',
          },
        });
        await ok('POST', `/reviews/${review.body.key}/close`);
        assert.equal((await ok('GET', '/lessons?q=ledger%20shipped')).items.length, 1);
      });

      test('a tier-2 minor release opens no review and closes', async () => {
        const { key } = await driveRelease(['payments-api'], 'minor', 'verify');
        assertRefused(await reviewOf(key), 404);
        await ok('POST', `/releases/${key}/transitions`, { to: 'closed' });
      });

      test('every emergency change gets a full post-implementation review that blocks closing', async () => {
        const { key } = await driveRelease(['payments-api'], 'emergency', 'verify');
        const review = (await reviewOf(key)).body;
        assert.equal(review.template, 'full');
        assert.equal(review.mandatory, true);
        assert.deepEqual(
          review.triggers.map((t: { kind: string }) => t.kind),
          ['emergency'],
        );
        const refused = await server.call('POST', `/releases/${key}/transitions`, {
          body: { to: 'closed' },
        });
        assertRefused(refused, 409);
        assert.match(refused.body.detail, new RegExp(review.key));
      });

      test('a rollback opens a full review; a severity 1–2 incident linked to the release does too, severity 3 does not', async () => {
        const rolled = await driveRelease(['payments-api'], 'minor', 'rolled-back');
        const review = (await reviewOf(rolled.key)).body;
        assert.equal(review.template, 'full');
        assert.deepEqual(
          review.triggers.map((t: { kind: string }) => t.kind),
          ['rollback'],
        );

        const live = await driveRelease(['payments-api'], 'patch', 'verify');
        assertRefused(await reviewOf(live.key), 404);
        await ok('POST', '/incidents', {
          title: 'Slow refunds',
          severity: 3,
          service: 'payments-api',
          startedAt: minutesAgo(20),
          causedBy: live.deployments,
        });
        assertRefused(await reviewOf(live.key), 404);
        const incident = await ok('POST', '/incidents', {
          title: 'Refunds fail',
          severity: 2,
          service: 'payments-api',
          startedAt: minutesAgo(15),
          resolvedAt: minutesAgo(5),
        });
        await ok('POST', `/incidents/${incident.key}/deployments`, {
          deployment: live.deployments[0],
          reason: 'started right after the deploy',
        });
        const opened = (await reviewOf(live.key)).body;
        assert.deepEqual(
          opened.triggers.map((t: { kind: string }) => t.kind),
          ['incident'],
        );
        assert.match(opened.triggers[0].reason, new RegExp(`${incident.key} of severity 2`));
        assert.equal(opened.mandatory, true);
        // The incident is on the review's timeline, assembled from the records.
        const detail = (await reviewOf(live.key)).body;
        assert.ok(
          detail.timeline.some(
            (e: { source: string; ref: string; text: string }) =>
              e.source === 'incident' && e.ref === incident.key && /resolved/.test(e.text),
          ),
        );
      });
    });

    describe('the review itself', () => {
      let key: string;
      let release: string;
      before(async () => {
        const rolled = await driveRelease(
          ['payments-api', 'ledger'],
          'major',
          'rolled-back',
          async (key) => {
            const uploaded = await fetch(`${server.url}/releases/${key}/evidence?type=junit`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${server.adminToken}`,
                'content-type': 'application/octet-stream',
              },
              body: readFileSync(new URL('./fixtures/evidence/jest.junit.xml', import.meta.url)),
            });
            assert.equal(uploaded.status, 201, await uploaded.text());
          },
        );
        release = rolled.key;
        key = (await reviewOf(release)).body.key;
      });

      test('the timeline is assembled from the release records, with entries people add', async () => {
        await ok(
          'POST',
          `/reviews/${key}/timeline`,
          { at: minutesAgo(24), text: 'On-call saw the error-rate alert in the payments channel' },
          tokens.dan,
        );
        const detail = (await reviewOf(key)).body;
        const sources = new Set(detail.timeline.map((e: { source: string }) => e.source));
        for (const source of ['transition', 'deployment', 'audit', 'person'])
          assert.ok(sources.has(source), `${source} missing: ${JSON.stringify(detail.timeline)}`);
        const times = detail.timeline.map((e: { at: string }) => e.at);
        assert.deepEqual(times, [...times].sort());
        assert.ok(
          detail.timeline.some(
            (e: { text: string; by: string }) =>
              e.text === 'deploy → rolled-back: error rate doubled after the canary step',
          ),
        );
        assert.ok(
          detail.timeline.some(
            (e: { source: string; text: string }) =>
              e.source === 'audit' && e.text === 'evidence.added: junit junit-report',
          ),
          JSON.stringify(detail.timeline.filter((e: { source: string }) => e.source === 'audit')),
        );
        const person = detail.timeline.find((e: { source: string }) => e.source === 'person');
        assert.equal(person.by, 'dan');
        assertRefused(
          await server.call('POST', `/reviews/${key}/timeline`, {
            body: { at: new Date(Date.now() + 3600_000).toISOString(), text: 'later' },
          }),
          400,
          ['/at'],
        );
      });

      test('causes: a 5 Whys chain and fishbone categories; a cause without evidence is speculative', async () => {
        const first = await ok('POST', `/reviews/${key}/causes`, {
          method: 'five-whys',
          text: 'Refund calls timed out against the ledger',
          factor: 'dependency-failure',
          evidence: [{ kind: 'audit', ref: 'release.transitioned' }],
        });
        const why1 = first.causes.at(-1);
        assert.equal(why1.speculative, false);
        const second = await ok('POST', `/reviews/${key}/causes`, {
          method: 'five-whys',
          parent: why1.id,
          text: 'The ledger connection pool was sized for last year traffic',
          factor: 'configuration-drift',
        });
        const why2 = second.causes.at(-1);
        assert.equal(why2.parent, why1.id);
        assert.equal(why2.speculative, true);
        await ok('POST', `/reviews/${key}/causes`, {
          method: 'fishbone',
          category: 'tooling',
          text: 'Load tests do not cover refund bursts',
          factor: 'test-gap',
          evidence: [{ kind: 'url', ref: 'https://ci.example/load/812' }],
        });
        assertRefused(
          await server.call('POST', `/reviews/${key}/causes`, {
            body: { method: 'fishbone', text: 'no category' },
          }),
          400,
          ['/category'],
        );
        assertRefused(
          await server.call('POST', `/reviews/${key}/causes`, {
            body: { method: 'five-whys', parent: 'nope', text: 'dangling' },
          }),
          400,
          ['/parent'],
        );
        assertRefused(
          await server.call('POST', `/reviews/${key}/causes`, {
            body: { method: 'five-whys', text: 'x', factor: 'bad-luck' },
          }),
          400,
          ['/body/factor'],
        );
        await ok('POST', `/reviews/${key}/factors`, {
          factor: 'configuration-drift',
          note: 'pool sizes differ between regions',
        });
        assertRefused(
          await server.call('POST', `/reviews/${key}/factors`, {
            body: { factor: 'configuration-drift' },
          }),
          400,
          ['/factor'],
        );
      });

      test('sentences blaming a named person are flagged, facts about the system are not', async () => {
        await ok('PATCH', `/reviews/${key}/sections`, {
          sections: {
            summary:
              'The release went to production at 10:00. Rita Lopez forgot to scale the pool.',
            impact: 'Refunds failed for 12 minutes. Ledger broke under the refund burst.',
          },
        });
        const detail = (await reviewOf(key)).body;
        assert.deepEqual(
          detail.languageFlags.map((f: { field: string; person: string }) => [f.field, f.person]),
          [['/sections/summary', 'rita']],
        );
        assert.equal(detail.languageFlags[0].sentence, 'Rita Lopez forgot to scale the pool.');
        assertRefused(
          await server.call('PATCH', `/reviews/${key}/sections`, {
            body: { sections: { verdict: 'x' } },
          }),
          400,
          ['/sections/verdict'],
        );
      });

      test('who may write and close', async () => {
        const viewer = await server.call('PATCH', `/reviews/${key}/sections`, {
          body: { sections: { impact: 'x' } },
          ...as('vera'),
        });
        assertRefused(viewer, 403);
        assert.match(viewer.body.detail, /vera may not write a post-release review/);
        assert.equal((await server.call('GET', `/reviews/${key}`, as('vera'))).status, 200);
        const deployerClose = await server.call('POST', `/reviews/${key}/close`, as('dan'));
        assertRefused(deployerClose, 403);
        assert.match(deployerClose.body.detail, /release-manager|cab-member/);
      });

      test('closing with empty mandatory sections or an ownerless action item is refused naming the field', async () => {
        const ownerless = await ok('POST', `/reviews/${key}/action-items`, {
          title: 'Alert on ledger pool saturation',
          dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          successCriteria: 'an alert fires at 80% pool use in every region',
        });
        assert.equal(ownerless.owner, null);
        assertRefused(
          await server.call('POST', `/reviews/${key}/action-items`, {
            body: { title: 'x', owner: 'nobody' },
          }),
          400,
          ['/owner'],
        );
        const refused = await server.call('POST', `/reviews/${key}/close`, as('rita'));
        assertRefused(refused, 400, [
          '/sections/detection',
          '/sections/response',
          '/sections/went-wrong',
          '/sections/lessons',
          '/actionItems/0/owner',
        ]);
        assert.ok(
          !refused.body.errors.some((e: { field: string }) => e.field === '/sections/summary'),
        );
        assert.equal((await reviewOf(key)).body.status, 'open', 'nothing half-written');

        await ok('PATCH', `/action-items/${ownerless.id}`, { owner: 'dan' });
        await ok('PATCH', `/reviews/${key}/sections`, {
          sections: {
            summary: 'The release went to production at 10:00 and was rolled back at 10:20.',
            detection: 'The error-rate alert fired two minutes after the canary step.',
            response: 'The deployer rolled back with the canary controller.',
            'went-wrong': 'The pool size had drifted from the capacity plan.',
            lessons: 'Pool sizes belong in the capacity plan, checked at deploy time.',
          },
        });
        const closed = await ok('POST', `/reviews/${key}/close`, undefined, tokens.rita);
        assert.equal(closed.status, 'closed');
        assert.equal(closed.closedBy, 'rita');
        assertRefused(
          await server.call('PATCH', `/reviews/${key}/sections`, {
            body: { sections: { impact: 'x' } },
          }),
          409,
        );
      });

      test('the review exports as Markdown, facts apart from analysis', async () => {
        const response = await fetch(`${server.url}/reviews/${key}/markdown`, {
          headers: { authorization: `Bearer ${server.adminToken}` },
        });
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/markdown/);
        const md = await response.text();
        assert.match(md, new RegExp(`^# ${key}: post-release review of ${release}`));
        assert.ok(md.indexOf('## Facts') < md.indexOf('## Analysis'));
        assert.ok(md.indexOf('### How it was detected') < md.indexOf('## Analysis'));
        assert.match(md, /- Why\? Refund calls timed out against the ledger/);
        assert.match(
          md,
          /\n {2}- Why\? The ledger connection pool .*\*\*speculative: no evidence linked\*\*/,
        );
        assert.match(md, /- \*\*tooling\*\*\n {2}- Load tests do not cover refund bursts/);
        assert.match(md, /\| Alert on ledger pool saturation \| dan \|/);
      });

      test('overdue action items are listed until done', async () => {
        const open = (await server.call('GET', '/reviews?status=open')).body.items;
        const other = open[0].key;
        const late = await ok('POST', `/reviews/${other}/action-items`, {
          title: 'Document the refund retry budget',
          owner: 'rita',
          dueAt: minutesAgo(60 * 24),
        });
        assert.equal(late.overdue, true);
        const overdue = await ok('GET', '/action-items/overdue', undefined, tokens.vera);
        assert.deepEqual(
          overdue.items.map((i: { id: string }) => i.id),
          [late.id],
        );
        await ok('PATCH', `/action-items/${late.id}`, { status: 'done' });
        assert.deepEqual((await ok('GET', '/action-items/overdue')).items, []);
        assertRefused(
          await server.call('PATCH', `/action-items/${late.id}`, { body: { status: 'finished' } }),
          400,
          ['/body/status'],
        );
        assertRefused(await server.call('PATCH', `/action-items/${late.id}`, { body: {} }), 400);
      });
    });

    describe('lessons learned', () => {
      before(async () => {
        // A second closed review naming configuration drift on another service.
        const { key } = await driveRelease(['auth'], 'major', 'rolled-back');
        const rev = (await reviewOf(key)).body.key;
        await ok('PATCH', `/reviews/${rev}/sections`, {
          sections: {
            summary: 'Token signing keys rotated in one region only.',
            impact: 'Logins failed in us-east.',
            detection: 'Synthetic login checks.',
            response: 'Rolled back.',
            'went-wrong': 'Key rotation config drifted between regions.',
            lessons: 'Rotate keys from one source of truth.',
          },
        });
        await ok('POST', `/reviews/${rev}/factors`, { factor: 'configuration-drift' });
        await ok('POST', `/reviews/${rev}/action-items`, {
          title: 'Move signing keys to the secrets manager',
          owner: 'rita',
          dueAt: new Date(Date.now() + 86_400_000).toISOString(),
        });
        await ok('POST', `/reviews/${rev}/close`);
      });

      test('full-text search by words (stemmed), service and factor', async () => {
        const pool = await ok('GET', '/lessons?q=connection%20pools', undefined, tokens.vera);
        assert.ok(pool.items.length >= 1, JSON.stringify(pool));
        assert.ok(pool.items.every((i: { text: string }) => /pool/i.test(i.text)));
        assert.ok(pool.items.some((i: { kind: string }) => i.kind === 'cause'));
        const keys = await ok('GET', '/lessons?q=signing%20keys');
        assert.deepEqual(
          [...new Set(keys.items.map((i: { services: string[] }) => i.services.join(',')))],
          ['auth'],
        );
        const byService = await ok('GET', '/lessons?service=auth');
        assert.ok(byService.items.length >= 2);
        assert.ok(
          byService.items.every((i: { services: string[] }) => i.services.includes('auth')),
        );
        const byFactor = await ok('GET', '/lessons?factor=test-gap');
        assert.ok(byFactor.items.length >= 1);
        assert.ok(
          byFactor.items.every((i: { services: string[] }) => i.services.includes('ledger')),
        );
        const none = await ok('GET', '/lessons?q=pool&service=auth');
        assert.deepEqual(none.items, []);
        const actions = await ok('GET', '/lessons?q=secrets%20manager');
        assert.equal(actions.items[0].kind, 'action');
      });

      test('search syntax in the query is treated as words, never as an error', async () => {
        for (const q of [
          '"unbalanced',
          'NEAR(pool',
          'pool*',
          "'; drop table lessons; --",
          '&&||!',
          ':',
        ])
          assert.equal(
            (await server.call('GET', `/lessons?q=${encodeURIComponent(q)}`)).status,
            200,
            q,
          );
        assert.deepEqual(
          (await ok('GET', '/lessons?q=%26%26%7C%7C!')).items,
          [],
          'no words, no match',
        );
        assert.ok(
          (await ok('GET', '/lessons?q=pool*')).items.length >= 1,
          'pool* searches for pool',
        );
        assertRefused(await server.call('GET', '/lessons?factor=bad-luck'), 400);
      });

      test('recurring contributing factors across closed reviews are surfaced', async () => {
        const recurring = await ok('GET', '/lessons/recurring-factors', undefined, tokens.vera);
        const drift = recurring.items.find(
          (f: { factor: string }) => f.factor === 'configuration-drift',
        );
        assert.ok(drift, JSON.stringify(recurring));
        assert.equal(drift.reviews, 2);
        assert.deepEqual(drift.services, ['auth', 'ledger', 'payments-api']);
        assert.equal(recurring.items[0].factor, 'configuration-drift');
        assert.ok(!recurring.items.some((f: { factor: string }) => f.factor === 'test-gap'));
      });
    });

    describe('triggers are policy data', () => {
      test('a policy set whose reviews section only names rollbacks opens no review for tier 1', async () => {
        const yaml = readFileSync(
          new URL('../policies/default.yaml', import.meta.url),
          'utf8',
        ).replace(
          /reviews:[\s\S]*$/,
          'reviews:\n  triggers:\n    rollback: true\n  mandatory: []\n',
        );
        const applied = await server.call('POST', '/policies', {
          body: yaml,
          headers: { 'content-type': 'application/yaml' },
        });
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
        const live = await driveRelease(['ledger'], 'emergency', 'verify');
        assertRefused(await reviewOf(live.key), 404);
        const rolled = await driveRelease(['ledger'], 'minor', 'rolled-back');
        const review = (await reviewOf(rolled.key)).body;
        assert.equal(review.mandatory, false);
        const bad = await server.call('POST', '/policies', {
          body: yaml.replace('rollback: true', 'rollback: true\n    weekends: true'),
          headers: { 'content-type': 'application/yaml' },
        });
        assertRefused(bad, 400);
        assert.match(JSON.stringify(bad.body), /reviews\/triggers/);
      });
    });
  });
}
