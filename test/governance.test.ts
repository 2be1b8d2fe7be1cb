/**
 * Governance through the real API on both engines: retention rules, refused deletions
 * and an audited purge that leaves the chain verifiable; access reviews whose
 * revocations really take access away; release notes with stripping and embargo; and
 * downtime notices delivered to a real local webhook receiver in each team's zone.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { App } from '../src/app/context.js';
import { deliverNotifications } from '../src/app/notifications/deliverNotifications.js';
import { dispatchNotifications } from '../src/app/notifications/dispatchNotifications.js';
import type { NotificationJobSettings } from '../src/domain/notification/delivery.js';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';
import { startReceiver, type Receiver } from './support/webhook-receiver.js';

const YEAR = 365.25 * 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

const CATALOG = {
  ...TEST_CATALOG,
  teams: [
    ...TEST_CATALOG.teams,
    { name: 'storefront', displayName: 'Storefront', timeZone: 'Asia/Tokyo' },
  ],
  services: [
    ...TEST_CATALOG.services,
    {
      name: 'web',
      team: 'storefront',
      tier: 2,
      customerFacing: true,
      dataSensitivity: 'internal',
      dependsOn: ['payments-api'],
    },
  ],
};

const SETTINGS: NotificationJobSettings = {
  attemptTimeoutMs: 2000,
  maxAttempts: 3,
  backoffBaseMs: 60_000,
  backoffMaxMs: 3_600_000,
  intervalMs: 1000,
  source: 'urn:gatehouse:test',
};

for (const engine of await engines()) {
  describe(`governance on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let receiver: Receiver;
    let managerToken: string;
    let viewerToken: string;

    const tokenFor = async (user: string, name = 't') => {
      const issued = await server.call('POST', '/tokens', { body: { name, user } });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      return issued.body as { id: string; token: string };
    };

    before(async () => {
      server = await startTestServer(engine);
      receiver = await startReceiver();
      const applied = await server.call('POST', '/catalog/apply', { body: CATALOG });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      await server.call('POST', '/users', { body: { name: 'rita', roles: ['release-manager'] } });
      await server.call('POST', '/users', { body: { name: 'otto', roles: ['auditor'] } });
      await server.call('POST', '/users', { body: { name: 'vic', roles: ['viewer'] } });
      managerToken = (await tokenFor('rita')).token;
      viewerToken = (await tokenFor('vic')).token;
    });
    after(async () => {
      await receiver?.close();
      await server?.close();
    });

    describe('retention', () => {
      let key: string;
      let oldDeployment: string;
      let newDeployment: string;

      before(async () => {
        key = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
        const record = async (startedAt: string, finishedAt: string, notes: string) => {
          const created = await server.call('POST', `/releases/${key}/deployments`, {
            body: {
              service: 'payments-api',
              environment: 'sit',
              status: 'succeeded',
              startedAt,
              finishedAt,
              notes,
              historyImport: 'migrated from the previous tool',
            },
          });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          return created.body.id as string;
        };
        oldDeployment = await record(ago(8 * YEAR), ago(8 * YEAR - 600_000), 'old log: step 1 ok');
        newDeployment = await record(ago(3_600_000), ago(3_000_000), 'recent log: step 1 ok');
      });

      test('defaults: deployment logs and approvals seven years; only admins change a rule', async () => {
        const rules = await server.call('GET', '/retention/rules', { token: managerToken });
        assert.equal(rules.status, 200);
        const by = Object.fromEntries(rules.body.map((r: any) => [r.recordType, r]));
        assert.equal(by['deployment-logs'].retention, 'P7Y');
        assert.equal(by.approvals.retention, 'P7Y');
        assert.equal(by['evidence-files'].isDefault, true);

        const refused = await server.call('PUT', '/retention/rules/evidence-files', {
          token: managerToken,
          body: { retention: 'P5Y' },
        });
        assert.equal(refused.status, 403);
        assert.match(refused.body.detail, /admin/);
        for (const [retention, pattern] of [
          ['five years', /not an ISO 8601 duration/],
          ['PT5M', /shorter than one day/],
        ] as const) {
          const bad = await server.call('PUT', '/retention/rules/evidence-files', {
            body: { retention },
          });
          assert.equal(bad.status, 400);
          assert.equal(bad.body.errors[0].field, '/retention');
          assert.match(bad.body.errors[0].reason, pattern);
        }
        const unknown = await server.call('PUT', '/retention/rules/audit-log', {
          body: { retention: 'P1Y' },
        });
        assert.equal(unknown.status, 400);
        assert.match(JSON.stringify(unknown.body), /recordType/);

        const changed = await server.call('PUT', '/retention/rules/evidence-files', {
          body: { retention: 'P5Y' },
        });
        assert.equal(changed.status, 200);
        assert.equal(changed.body.retention, 'P5Y');
        assert.equal(changed.body.updatedBy, 'admin');
        const audit = await server.call('GET', '/audit?subjectType=retention-rule');
        assert.equal(audit.body.items[0].action, 'retention.rule-changed');
        assert.deepEqual(audit.body.items[0].before, { retention: 'P3Y', isDefault: true });
      });

      test('a record under retention cannot be deleted: refused with the rule and its end date', async () => {
        const refused = await server.call(
          'DELETE',
          `/retention/records/deployment-logs/${newDeployment}`,
        );
        assert.equal(refused.status, 409);
        assert.equal(refused.body.code, 'under-retention');
        assert.equal(refused.body.retention, 'P7Y');
        const until = Date.parse(refused.body.retainedUntil);
        assert.ok(
          until > Date.now() + 6.9 * YEAR && until < Date.now() + 7.1 * YEAR,
          refused.body.retainedUntil,
        );
        assert.match(refused.body.detail, /under retention until .* cannot be deleted/);
        // An evidence file, uploaded now, is under its (changed) five-year rule.
        const uploaded = await fetch(`${server.url}/releases/${key}/evidence?type=junit`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${server.adminToken}`,
            'content-type': 'application/octet-stream',
          },
          body: readFileSync(new URL('./fixtures/evidence/jest.junit.xml', import.meta.url)),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
        assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
        const evidence = await server.call(
          'DELETE',
          `/retention/records/evidence-files/${uploaded.body.id}`,
        );
        assert.equal(evidence.status, 409);
        assert.equal(evidence.body.code, 'under-retention');
        assert.equal(evidence.body.retention, 'P5Y');
        assert.equal(
          (await server.call('GET', `/releases/${key}/evidence`)).body.length,
          1,
          'the evidence is still there',
        );
        const missing = await server.call(
          'DELETE',
          '/retention/records/approvals/no-such-approval',
        );
        assert.equal(missing.status, 404);
        const deployments = await server.call('GET', `/releases/${key}/deployments`);
        const recent = deployments.body.find((d: any) => d.id === newDeployment);
        assert.equal(recent.notes, 'recent log: step 1 ok', 'nothing was removed');
      });

      test('a dry run lists what would go; the purge removes it, is audited, and the chain verifies', async () => {
        const headBefore = (await server.call('GET', '/audit/verify')).body;
        const dry = await server.call('POST', '/retention/purge', {
          token: managerToken,
          body: { apply: false },
        });
        assert.equal(dry.status, 200, JSON.stringify(dry.body));
        const logs = dry.body.types.find((t: any) => t.recordType === 'deployment-logs');
        assert.deepEqual(
          logs.records.map((r: any) => r.id),
          [oldDeployment],
        );
        assert.match(logs.records[0].sha256, /^[0-9a-f]{64}$/);
        assert.equal(dry.body.auditSeq, null);
        assert.equal((await server.call('GET', '/audit/verify')).body.headSeq, headBefore.headSeq);

        const refused = await server.call('POST', '/retention/purge', {
          token: managerToken,
          body: { apply: true },
        });
        assert.equal(refused.status, 403);
        const bad = await server.call('POST', '/retention/purge', { body: { apply: 'yes' } });
        assert.equal(bad.status, 400);

        const purged = await server.call('POST', '/retention/purge', { body: { apply: true } });
        assert.equal(purged.status, 200);
        assert.equal(purged.body.applied, true);
        const deployments = (await server.call('GET', `/releases/${key}/deployments`)).body;
        assert.equal(deployments.find((d: any) => d.id === oldDeployment).notes, '');
        assert.equal(
          deployments.find((d: any) => d.id === newDeployment).notes,
          'recent log: step 1 ok',
        );

        const verify = await server.call('GET', '/audit/verify');
        assert.equal(verify.body.intact, true, JSON.stringify(verify.body));
        assert.equal(verify.body.headSeq, purged.body.auditSeq);
        const entry = (await server.call('GET', '/audit?subjectType=retention')).body.items[0];
        assert.equal(entry.action, 'retention.purged');
        const logged = entry.after.types.find((t: any) => t.recordType === 'deployment-logs');
        assert.deepEqual(logged.records, logs.records, 'the entry fingerprints exactly what went');
        // The entries that recorded the deployment are still there, untouched.
        const history = await server.call(
          'GET',
          `/audit?subjectType=deployment&subjectId=${oldDeployment}`,
        );
        assert.equal(history.body.items[0].action, 'deployment.imported');

        const again = await server.call(
          'DELETE',
          `/retention/records/deployment-logs/${oldDeployment}`,
        );
        assert.equal(again.status, 409);
        assert.equal(again.body.code, 'already-purged');
        const second = await server.call('POST', '/retention/purge', { body: { apply: true } });
        assert.equal(
          second.body.types.find((t: any) => t.recordType === 'deployment-logs').count,
          0,
        );
      });
    });

    describe('access reviews', () => {
      test('the report shows each role and token with when it was granted and last used', async () => {
        await server.call('POST', '/users', {
          body: { name: 'dora', roles: ['deployer', 'viewer'] },
        });
        const issued = await tokenFor('dora', 'pipeline');
        assert.equal((await server.call('GET', '/me', { token: issued.token })).status, 200);
        const report = await server.call('GET', '/access-reviews/report', { token: viewerToken });
        assert.equal(report.status, 403);
        const seen = await server.call('GET', '/access-reviews/report', {
          token: (await tokenFor('otto', 'audit')).token,
        });
        assert.equal(seen.status, 200);
        assert.equal(seen.body.lastUsedGranularity, 'PT1H');
        const roles = seen.body.roles.filter((r: any) => r.user === 'dora');
        assert.deepEqual(
          roles.map((r: any) => r.role),
          ['deployer', 'viewer'],
        );
        assert.equal(roles[0].grantedBy, 'admin');
        assert.ok(roles[0].grantedAt);
        assert.ok(roles[0].lastUsedAt, 'the token use shows on the person');
        const token = seen.body.tokens.find((t: any) => t.id === issued.id);
        assert.equal(token.user, 'dora');
        assert.ok(token.lastUsedAt);
        assert.equal(token.lastReview, null);

        // Later requests within the hour are reads only: the recorded last use stays put.
        for (let i = 0; i < 3; i++)
          assert.equal((await server.call('GET', '/me', { token: issued.token })).status, 200);
        const later = await server.call('GET', '/access-reviews/report');
        assert.equal(
          later.body.tokens.find((t: any) => t.id === issued.id).lastUsedAt,
          token.lastUsedAt,
        );
      });

      test('bad decisions are refused naming the field; nothing is recorded', async () => {
        const cases: Array<[Record<string, unknown>, number, RegExp]> = [
          [{ grant: 'token', decision: 'revoke', reason: 'x' }, 400, /\/tokenId/],
          [{ grant: 'role', user: 'dora', decision: 'revoke', reason: 'x' }, 400, /\/role/],
          [
            { grant: 'role', user: 'dora', role: 'root', decision: 'revoke', reason: 'x' },
            400,
            /role/,
          ],
          [
            { grant: 'role', user: 'dora', role: 'viewer', decision: 'maybe', reason: 'x' },
            400,
            /decision/,
          ],
          [{ grant: 'role', user: 'dora', role: 'viewer', decision: 'confirm' }, 400, /reason/],
          [
            { grant: 'role', user: 'dora', role: 'admin', decision: 'confirm', reason: 'x' },
            404,
            /dora\/admin/,
          ],
          [{ grant: 'token', tokenId: 'nope', decision: 'confirm', reason: 'x' }, 404, /nope/],
        ];
        for (const [body, status, pattern] of cases) {
          const answer = await server.call('POST', '/access-reviews/decisions', { body });
          assert.equal(answer.status, status, JSON.stringify(body));
          assert.match(JSON.stringify(answer.body), pattern);
        }
        const refused = await server.call('POST', '/access-reviews/decisions', {
          token: managerToken,
          body: { grant: 'role', user: 'dora', role: 'viewer', decision: 'confirm', reason: 'x' },
        });
        assert.equal(refused.status, 403);
        const audit = await server.call('GET', '/audit?subjectType=user&subjectId=dora');
        assert.ok(!audit.body.items.some((e: any) => e.action.startsWith('access-review.')));
      });

      test('a revoked token stops working at once; a revoked role is gone; both audited', async () => {
        const issued = await tokenFor('dora', 'to-revoke');
        assert.equal((await server.call('GET', '/me', { token: issued.token })).status, 200);
        const revoked = await server.call('POST', '/access-reviews/decisions', {
          body: {
            grant: 'token',
            tokenId: issued.id,
            decision: 'revoke',
            reason: 'unused since the migration',
          },
        });
        assert.equal(revoked.status, 201, JSON.stringify(revoked.body));
        assert.equal(revoked.body.decision, 'revoked');
        const me = await server.call('GET', '/me', { token: issued.token });
        assert.equal(me.status, 401);
        assert.match(me.body.detail, /revoked/);
        const twice = await server.call('POST', '/access-reviews/decisions', {
          body: { grant: 'token', tokenId: issued.id, decision: 'revoke', reason: 'again' },
        });
        assert.equal(twice.status, 409);

        const other = await tokenFor('dora', 'kept');
        const withRole = await server.call('GET', '/me', { token: other.token });
        assert.deepEqual(withRole.body.roles.sort(), ['deployer', 'viewer']);
        const role = await server.call('POST', '/access-reviews/decisions', {
          body: {
            grant: 'role',
            user: 'dora',
            role: 'deployer',
            decision: 'revoke',
            reason: 'moved team',
          },
        });
        assert.equal(role.status, 201);
        assert.deepEqual((await server.call('GET', '/me', { token: other.token })).body.roles, [
          'viewer',
        ]);
        const confirm = await server.call('POST', '/access-reviews/decisions', {
          body: {
            grant: 'role',
            user: 'dora',
            role: 'viewer',
            decision: 'confirm',
            reason: 'still needed',
          },
        });
        assert.equal(confirm.status, 201);

        const report = (await server.call('GET', '/access-reviews/report')).body;
        assert.ok(
          !report.tokens.some((t: any) => t.id === issued.id),
          'revoked tokens leave the report',
        );
        const dora = report.roles.filter((r: any) => r.user === 'dora');
        assert.deepEqual(
          dora.map((r: any) => [r.role, r.lastReview?.decision, r.lastReview?.reviewer]),
          [['viewer', 'confirmed', 'admin']],
        );
        const audit = await server.call('GET', '/audit?subjectType=user&subjectId=dora');
        const actions = audit.body.items.map((e: any) => e.action);
        assert.deepEqual(actions.slice(0, 2), ['access-review.confirmed', 'access-review.revoked']);
        assert.deepEqual(audit.body.items[1].after.roles, ['viewer']);
        const tokenAudit = await server.call(
          'GET',
          `/audit?subjectType=token&subjectId=${issued.id}`,
        );
        assert.equal(tokenAudit.body.items[0].action, 'access-review.revoked');
      });

      test('the last admin cannot be revoked', async () => {
        const answer = await server.call('POST', '/access-reviews/decisions', {
          body: { grant: 'role', user: 'admin', role: 'admin', decision: 'revoke', reason: 'x' },
        });
        assert.equal(answer.status, 409);
        assert.equal(answer.body.code, 'last-admin');
        assert.equal((await server.call('GET', '/me')).status, 200);
      });
    });

    describe('release notes', () => {
      let key: string;
      before(async () => {
        const created = await server.call('POST', '/releases', {
          body: releaseBody({
            title: 'Payments API 2.5',
            scope: {
              features: ['Apple Pay at checkout (PAY-101)', 'Falcon-backed card vault'],
              fixes: [
                'Refunds no longer fail on ledger timeouts from db1.payments.internal',
                'Crash TypeError at computeRefund (src/refund.ts:42:7) on 10.2.3.4',
              ],
              workItems: ['PAY-101'],
            },
          }),
        });
        assert.equal(created.status, 201);
        key = created.body.key;
      });

      test('admins add stripping patterns; bad ones are refused naming the field', async () => {
        const bad = await server.call('PUT', '/release-notes/patterns/codenames', {
          body: { pattern: '(Falcon', description: 'code names' },
        });
        assert.equal(bad.status, 400);
        assert.equal(bad.body.errors[0].field, '/pattern');
        const builtIn = await server.call('PUT', '/release-notes/patterns/ticket-key', {
          body: { pattern: 'x', description: 'y' },
        });
        assert.equal(builtIn.status, 400);
        const refused = await server.call('PUT', '/release-notes/patterns/codenames', {
          token: managerToken,
          body: { pattern: '\\bFalcon\\b', description: 'code names' },
        });
        assert.equal(refused.status, 403);
        const set = await server.call('PUT', '/release-notes/patterns/codenames', {
          body: { pattern: '\\bFalcon\\b', description: 'project code names' },
        });
        assert.equal(set.status, 200);
        const list = await server.call('GET', '/release-notes/patterns', { token: viewerToken });
        assert.deepEqual(
          list.body.filter((p: any) => !p.builtIn).map((p: any) => p.name),
          ['codenames'],
        );
      });

      test('an embargo in the past is refused; embargoed customer notes are for the allowed roles only', async () => {
        const past = await server.call('POST', `/releases/${key}/notes`, {
          token: managerToken,
          body: { securityFix: true, embargoUntil: ago(60_000) },
        });
        assert.equal(past.status, 400);
        assert.equal(past.body.errors[0].field, '/embargoUntil');
        assert.match(past.body.errors[0].reason, /future/);
        const notSecurity = await server.call('POST', `/releases/${key}/notes`, {
          token: managerToken,
          body: { embargoUntil: ahead(60_000) },
        });
        assert.equal(notSecurity.status, 400);
        assert.equal(
          (await server.call('GET', `/releases/${key}/notes`)).status,
          404,
          'nothing half-written',
        );

        const embargo = ahead(1500);
        const generated = await server.call('POST', `/releases/${key}/notes`, {
          token: managerToken,
          body: { securityFix: true, embargoUntil: embargo },
        });
        assert.equal(generated.status, 201, JSON.stringify(generated.body));
        assert.equal(generated.body.published, false);
        const customer = generated.body.customerMarkdown as string;
        for (const secret of [
          'PAY-101',
          'db1.payments.internal',
          'ledger',
          'refund.ts',
          '10.2.3.4',
          'Falcon',
        ])
          assert.ok(!customer.includes(secret), `${secret} in ${customer}`);
        assert.match(customer, /## What's new\n- Apple Pay at checkout\n/);
        const patterns = new Set(generated.body.strippings.map((s: any) => s.pattern));
        for (const p of [
          'ticket-key',
          'internal-hostname',
          'internal-service',
          'stack-trace',
          'ipv4-address',
          'codenames',
        ])
          assert.ok(patterns.has(p), p);

        const internal = await server.call('GET', `/releases/${key}/notes/internal`, {
          token: viewerToken,
        });
        assert.equal(internal.status, 200);
        assert.match(internal.headers.get('content-type')!, /text\/markdown/);
        assert.match(internal.body, /PAY-101/);
        const hidden = await server.call('GET', `/releases/${key}/notes/customer`, {
          token: viewerToken,
        });
        assert.equal(hidden.status, 403);
        assert.equal(hidden.body.code, 'embargoed');
        assert.match(hidden.body.detail, /embargoed until/);
        const meta = await server.call('GET', `/releases/${key}/notes`, { token: viewerToken });
        assert.equal(meta.body.customerMarkdown, null);
        const allowed = await server.call('GET', `/releases/${key}/notes/customer`, {
          token: managerToken,
        });
        assert.equal(allowed.status, 200);
        assert.equal(allowed.body, customer);

        // Once the embargo passes, everyone who reads releases may read them.
        while (Date.now() <= Date.parse(embargo)) await new Promise((r) => setTimeout(r, 100));
        const published = await server.call('GET', `/releases/${key}/notes/customer`, {
          token: viewerToken,
        });
        assert.equal(published.status, 200);
        assert.equal(published.body, customer);
        const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${key}`);
        const entry = audit.body.items.find((e: any) => e.action === 'release-notes.generated');
        assert.equal(entry.after.embargoUntil, new Date(embargo).toISOString());
        assert.ok(
          !JSON.stringify(entry).includes('Apple Pay'),
          'the audit entry holds hashes, not the text',
        );
      });
    });

    describe('downtime notices', () => {
      test('owners of dependent services are told the window in their own time zone', async () => {
        const subscribed = await server.call('POST', '/notifications/subscriptions', {
          body: {
            name: 'downtime',
            url: `${receiver.url}/downtime`,
            secret: 'receiver-shared-secret-0123456789',
            eventTypes: ['dev.gatehouse.downtime.notice'],
          },
        });
        assert.equal(subscribed.status, 201, JSON.stringify(subscribed.body));
        const key = (
          await server.call('POST', '/releases', {
            body: releaseBody({ services: [{ service: 'ledger', version: '3.1.0' }] }),
          })
        ).body.key;

        const none = await server.call('POST', `/releases/${key}/downtime/notices`, { body: {} });
        assert.equal(none.status, 409);
        assert.equal(none.body.code, 'no-downtime');
        const start = new Date(
          Date.UTC(new Date().getUTCFullYear() + 1, 0, 15, 2, 0),
        ).toISOString();
        const end = new Date(Date.parse(start) + 2 * 3_600_000).toISOString();
        const backwards = await server.call('PUT', `/releases/${key}/downtime`, {
          token: managerToken,
          body: { start: end, end: start, description: 'database upgrade' },
        });
        assert.equal(backwards.status, 400);
        assert.equal(backwards.body.errors[0].field, '/end');
        const viewer = await server.call('PUT', `/releases/${key}/downtime`, {
          token: viewerToken,
          body: { start, end, description: 'database upgrade' },
        });
        assert.equal(viewer.status, 403);
        const set = await server.call('PUT', `/releases/${key}/downtime`, {
          token: managerToken,
          body: { start, end, description: 'Ledger database upgrade; writes pause' },
        });
        assert.equal(set.status, 200, JSON.stringify(set.body));

        const sent = await server.call('POST', `/releases/${key}/downtime/notices`, {
          token: managerToken,
          body: {},
        });
        assert.equal(sent.status, 201, JSON.stringify(sent.body));
        // ledger ← payments-api (payments, Berlin) ← web (storefront, Tokyo).
        assert.deepEqual(
          sent.body.notices.map((n: any) => [n.team, n.services]),
          [
            ['payments', ['payments-api']],
            ['storefront', ['web']],
          ],
        );
        const year = new Date(start).getUTCFullYear();
        assert.match(
          sent.body.notices[0].localWindow,
          new RegExp(`15 Jan ${year} 03:00–05:00 .*\\(Europe/Berlin\\)`),
        );
        assert.match(
          sent.body.notices[1].localWindow,
          new RegExp(`15 Jan ${year} 11:00–13:00 .*\\(Asia/Tokyo\\)`),
        );
        const again = await server.call('POST', `/releases/${key}/downtime/notices`, { body: {} });
        assert.equal(again.status, 409);
        assert.equal(again.body.code, 'notices-already-sent');

        const app: App = { store: server.running.app.store, clock: () => new Date() };
        await dispatchNotifications(app, { source: SETTINGS.source });
        await deliverNotifications(app, SETTINGS);
        const events = receiver.on('/downtime').map((r) => JSON.parse(r.body));
        assert.equal(events.length, 2);
        const byTeam = Object.fromEntries(events.map((e) => [e.data.after.team, e]));
        assert.equal(byTeam.payments.type, 'dev.gatehouse.downtime.notice');
        assert.equal(byTeam.payments.subject, key);
        assert.match(
          byTeam.payments.data.summary,
          /Downtime for .* affects payments-api \(team payments\): .*03:00–05:00/,
        );
        assert.match(byTeam.storefront.data.summary, /11:00–13:00 .*Asia\/Tokyo/);
        assert.equal(byTeam.storefront.data.after.timeZone, 'Asia/Tokyo');
        assert.equal(byTeam.storefront.data.after.start, start);
      });
    });
  });
}
