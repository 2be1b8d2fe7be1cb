/**
 * Two things the web UI needs from the API, over HTTP on a real port, on SQLite and on
 * PostgreSQL: opening a release's review by hand (POST /releases/{id}/reviews: audited,
 * permission checked, 409 while one is open, 400 naming the field, a closed one
 * reopened), and the release list carrying each release's risk score and level (the
 * same as GET /releases/{id}/risk) with a filter by level that pages correctly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

for (const engine of await engines()) {
  describe(
    `opening reviews by hand and risk in the release list on ${engine.name}`,
    { skip: engine.skip },
    () => {
      let server: TestServer;
      const tokens: Record<string, string> = {};

      async function ok(method: string, path: string, body?: unknown, token?: string) {
        const response = await server.call(method, path, { body, token });
        assert.ok(response.status < 300, `${method} ${path}: ${JSON.stringify(response.body)}`);
        return response.body;
      }

      /** Drives a release through Deploy to Rolled back: a finished, failed release (and a policy review). */
      async function rollBack(body: Record<string, unknown>): Promise<string> {
        const release = await ok('POST', '/releases', releaseBody(body));
        for (const to of ['prepare', 'test', 'approve', 'deploy'])
          await ok('POST', `/releases/${release.key}/transitions`, { to });
        const services = (body.services as Array<{ service: string }> | undefined) ?? [
          { service: 'payments-api' },
        ];
        for (const { service } of services)
          await ok('POST', `/releases/${release.key}/deployments`, {
            service,
            environment: 'prod',
            region: 'eu-west',
            status: 'succeeded',
            historyImport: 'fixture: a failed release in the history',
          });
        await ok('POST', `/releases/${release.key}/transitions`, {
          to: 'rolled-back',
          reason: 'errors after the deployment',
        });
        return release.key;
      }

      const major = {
        classification: 'major',
        strategy: 'big-bang',
        services: [
          { service: 'ledger', version: '3.0.0' },
          { service: 'auth', version: '3.0.0' },
          { service: 'payments-api', version: '3.0.0' },
        ],
      };
      const patch = {
        classification: 'patch',
        strategy: 'canary',
        services: [{ service: 'payments-api', version: '2.4.1' }],
        scope: { fixes: ['typo'], workItems: ['PAY-1'], commits: ['abc1234'] },
      };

      let rolledBack: string;
      const keys: string[] = [];

      before(async () => {
        server = await startTestServer(engine);
        await ok('POST', '/catalog/apply', TEST_CATALOG);
        for (const [name, roles] of [
          ['vera', ['viewer']],
          ['dan', ['deployer']],
        ] as const) {
          await ok('POST', '/users', { name, roles });
          tokens[name] = (await ok('POST', '/tokens', { name: 'test', user: name })).token;
        }
        // History first: the releases after it inherit their services' failure record.
        rolledBack = await rollBack(major);
        for (const body of [patch, major, {}, patch, major, {}, patch])
          keys.push((await ok('POST', '/releases', releaseBody(body))).key);
        // Bands set between the fixture's scores, so its releases span all three levels.
        const scores = [
          ...new Set(
            (await ok('GET', '/releases?limit=500')).items.map(
              (i: { risk: { score: number } }) => i.risk.score,
            ),
          ),
        ].sort((a, b) => (a as number) - (b as number)) as number[];
        assert.ok(scores.length >= 3, JSON.stringify(scores));
        const { weights } = await ok('GET', '/risk/weights');
        await ok('PUT', '/risk/weights', {
          ...weights,
          bands: { medium: scores[1], high: scores.at(-1) },
        });
      });
      after(async () => server?.close());

      describe('POST /releases/{id}/reviews', () => {
        test('opens a review with the reason as its trigger, audited, and refuses a second one with 409', async () => {
          const release = keys[0]!;
          const opened = await server.call('POST', `/releases/${release}/reviews`, {
            body: { reason: 'a near miss the triggers did not see', template: 'light' },
            token: tokens.dan,
          });
          assert.equal(opened.status, 201, JSON.stringify(opened.body));
          assert.match(opened.body.key, /^REV-\d+$/);
          assert.equal(opened.headers.get('location'), `/reviews/${opened.body.key}`);
          assert.equal(opened.body.release, release);
          assert.equal(opened.body.status, 'open');
          assert.equal(opened.body.template, 'light');
          assert.equal(opened.body.mandatory, false);
          assert.deepEqual(opened.body.triggers, [
            { kind: 'manual', reason: 'opened by dan: a near miss the triggers did not see' },
          ]);

          const read = await ok('GET', `/reviews/${release}`);
          assert.equal(read.key, opened.body.key);

          const audit = await ok('GET', `/audit?subjectType=review&subjectId=${opened.body.key}`);
          const entry = audit.items.find((e: { action: string }) => e.action === 'review.opened');
          assert.ok(entry, JSON.stringify(audit.items));
          assert.equal(entry.actor, 'dan');

          const again = await server.call('POST', `/releases/${release}/reviews`, {
            body: { reason: 'once more' },
            token: tokens.dan,
          });
          assert.equal(again.status, 409, JSON.stringify(again.body));
          assert.match(
            again.body.detail,
            new RegExp(`already has an open review, ${opened.body.key}`),
          );
        });

        test('a release whose review the policy opened is refused too', async () => {
          const refused = await server.call('POST', `/releases/${rolledBack}/reviews`, {
            body: { reason: 'we want one' },
          });
          assert.equal(refused.status, 409, JSON.stringify(refused.body));
          assert.match(refused.body.detail, /already has an open review, REV-\d+/);
        });

        test('bad input is refused with 400 naming the field, and nothing is opened', async () => {
          const release = keys[1]!;
          for (const [body, field] of [
            [{}, '/body/reason'],
            [{ reason: '   ' }, '/body/reason'],
            [{ reason: 'x', template: 'heavy' }, '/body/template'],
            [{ reason: 'x', mandatory: 'yes' }, '/body/mandatory'],
            [{ reason: 'x', colour: 'red' }, '/body/colour'],
          ] as const) {
            const refused = await server.call('POST', `/releases/${release}/reviews`, { body });
            assert.equal(refused.status, 400, JSON.stringify(refused.body));
            assert.ok(
              refused.body.errors.some((e: { field: string }) => e.field === field),
              `${field}: ${JSON.stringify(refused.body.errors)}`,
            );
          }
          assert.equal((await server.call('GET', `/reviews/${release}`)).status, 404);
          const missing = await server.call('POST', '/releases/REL-99999/reviews', {
            body: { reason: 'x' },
          });
          assert.equal(missing.status, 404);
        });

        test('a viewer may not open a review', async () => {
          const refused = await server.call('POST', `/releases/${keys[1]}/reviews`, {
            body: { reason: 'curious' },
            token: tokens.vera,
          });
          assert.equal(refused.status, 403, JSON.stringify(refused.body));
          assert.equal((await server.call('GET', `/reviews/${keys[1]}`)).status, 404);
        });

        test('a closed review is reopened with the new reason', async () => {
          const release = keys[2]!;
          const opened = await ok('POST', `/releases/${release}/reviews`, {
            reason: 'first look',
            template: 'light',
          });
          await ok('PATCH', `/reviews/${opened.key}/sections`, {
            sections: { summary: 'Nothing broke.', impact: 'None.', lessons: 'Keep canaries.' },
          });
          await ok('POST', `/reviews/${opened.key}/close`, {});
          const reopened = await server.call('POST', `/releases/${release}/reviews`, {
            body: { reason: 'customers reported slowness', mandatory: true },
          });
          assert.equal(reopened.status, 201, JSON.stringify(reopened.body));
          assert.equal(reopened.body.key, opened.key);
          assert.equal(reopened.body.status, 'open');
          assert.equal(reopened.body.mandatory, true);
          assert.deepEqual(
            reopened.body.triggers.map((t: { reason: string }) => t.reason),
            ['opened by admin: first look', 'opened by admin: customers reported slowness'],
          );
          const audit = await ok('GET', `/audit?subjectType=review&subjectId=${opened.key}`);
          assert.ok(audit.items.some((e: { action: string }) => e.action === 'review.reopened'));
        });
      });

      describe('risk in GET /releases', () => {
        test('each item carries the score and level of its risk read', async () => {
          const page = await ok('GET', '/releases?limit=500');
          assert.equal(page.items.length, keys.length + 1);
          for (const item of page.items) {
            const risk = await ok('GET', `/releases/${item.key}/risk`);
            assert.deepEqual(item.risk, { score: risk.score, level: risk.level }, item.key);
          }
          // The fixture spans levels, and the failed release raised the later ones' history.
          const levels = new Set(page.items.map((i: { risk: { level: string } }) => i.risk.level));
          assert.equal(levels.size, 3, JSON.stringify([...levels]));
          const later = await ok('GET', `/releases/${keys[1]}/risk`);
          const history = later.contributions.find(
            (c: { factor: string }) => c.factor === 'changeFailureHistory',
          );
          assert.ok(history && history.points > 0, JSON.stringify(later.contributions));
        });

        test('risk=LEVEL returns exactly the releases at that level, newest first, across pages', async () => {
          const all = (await ok('GET', '/releases?limit=500')).items as Array<{
            key: string;
            risk: { level: string };
          }>;
          for (const level of ['low', 'medium', 'high']) {
            const expected = all.filter((i) => i.risk.level === level).map((i) => i.key);
            const whole = await ok('GET', `/releases?limit=500&risk=${level}`);
            assert.deepEqual(
              whole.items.map((i: { key: string }) => i.key),
              expected,
              level,
            );
            // One at a time: the cursor resumes after the last match.
            const paged: string[] = [];
            let cursor: string | null = null;
            do {
              const page: { items: Array<{ key: string }>; nextCursor: string | null } = await ok(
                'GET',
                `/releases?limit=1&risk=${level}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
              );
              paged.push(...page.items.map((i) => i.key));
              cursor = page.nextCursor;
            } while (cursor);
            assert.deepEqual(paged, expected, `${level} paged`);
          }
        });

        test('the OpenAPI document describes the risk filter, the risk field and the open-review route', async () => {
          const doc = (await server.call('GET', '/openapi.json', { token: null })).body;
          const list = doc.paths['/releases'].get;
          const param = list.parameters.find((p: { name: string }) => p.name === 'risk');
          assert.deepEqual(param?.schema?.enum, ['low', 'medium', 'high']);
          const item =
            list.responses['200'].content['application/json'].schema.properties.items.items;
          assert.deepEqual(item.properties.risk.properties.level.enum, ['low', 'medium', 'high']);
          const open = doc.paths['/releases/{id}/reviews'].post;
          assert.deepEqual(open.requestBody.content['application/json'].schema.required, [
            'reason',
          ]);
          assert.ok(open.responses['409'], JSON.stringify(Object.keys(open.responses)));
        });

        test('the risk filter combines with the others and refuses an unknown level naming it', async () => {
          const high = await ok('GET', '/releases?risk=high&classification=major');
          assert.ok(
            high.items.every(
              (i: { classification: string; risk: { level: string } }) =>
                i.classification === 'major' && i.risk.level === 'high',
            ),
          );
          const refused = await server.call('GET', '/releases?risk=extreme');
          assert.equal(refused.status, 400, JSON.stringify(refused.body));
          assert.ok(
            refused.body.errors.some((e: { field: string }) => e.field.includes('risk')),
            JSON.stringify(refused.body),
          );
        });
      });
    },
  );
}
