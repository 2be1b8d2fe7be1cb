/**
 * ITSM change records against a local ServiceNow / Jira stand-in (test/support/
 * itsm-server.ts), on SQLite and PostgreSQL, with the sync run on a held clock: opened on
 * Approve, noted on decisions and deployments, closed with the outcome; the release
 * proceeding while the ITSM is down, retries with backoff, Retry-After honoured, 4xx
 * failures kept with the tool's own error text until retried; secrets masked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../src/app/context.js';
import { dispatchItsm } from '../src/app/itsm/dispatchItsm.js';
import { syncItsm, type ItsmSyncSettings } from '../src/app/itsm/syncItsm.js';
import { engines } from './support/engines.js';
import { startFakeItsm, type FakeItsm } from './support/itsm-server.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const SN_PASSWORD = 'sn-password-never-shown-1';
const JIRA_TOKEN = 'jira-oauth-token-never-shown-2';
const SETTINGS: ItsmSyncSettings = {
  timeoutMs: 300,
  backoffBaseMs: 1_000,
  backoffMaxMs: 600_000,
  batch: 50,
};

for (const engine of await engines()) {
  describe(`ITSM change records on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let fake: FakeItsm;
    let app: App;
    let nowMs = Date.now();
    let managerToken: string;
    const sync = async () => {
      await dispatchItsm(app);
      return syncItsm(app, SETTINGS, () => 0.5);
    };
    const moveTo = async (key: string, ...states: string[]) => {
      for (const to of states) {
        const moved = await server.call('POST', `/releases/${key}/transitions`, {
          body: { to, reason: 'as planned' },
        });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
    };
    const newRelease = async () => {
      const created = await server.call('POST', '/releases', { body: releaseBody() });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.key as string;
    };
    const changes = async (key: string) =>
      (await server.call('GET', `/releases/${key}/itsm`)).body as any[];
    const backlog = async () => (await server.call('GET', '/itsm/backlog')).body;
    const setActive = async (name: string, active: boolean) =>
      assert.equal(
        (await server.call('PATCH', `/itsm/connections/${name}`, { body: { active } })).status,
        200,
      );

    before(async () => {
      fake = await startFakeItsm({
        basic: { username: 'gatehouse.integration', password: SN_PASSWORD },
        bearer: JIRA_TOKEN,
      });
      server = await startTestServer(engine);
      app = { store: server.running.app.store, clock: () => new Date(nowMs) };
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      await server.call('POST', '/users', { body: { name: 'rita', roles: ['release-manager'] } });
      managerToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'rita' } }))
        .body.token;
    });
    after(async () => {
      await server?.close();
      await fake?.close();
    });

    test('connections: admins only, bad input named by field, secrets masked on every read', async () => {
      const servicenow = {
        name: 'servicenow',
        kind: 'servicenow',
        baseUrl: fake.url,
        auth: 'basic',
        username: 'gatehouse.integration',
        secret: SN_PASSWORD,
      };
      const refused = await server.call('POST', '/itsm/connections', {
        body: servicenow,
        token: managerToken,
      });
      assert.equal(refused.status, 403);
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ ...servicenow, kind: 'remedy' }, '/kind'],
        [{ ...servicenow, username: undefined }, '/username'],
        [{ ...servicenow, baseUrl: 'ftp://example.com' }, '/baseUrl'],
        [{ ...servicenow, baseUrl: 'https://user:pw@example.com' }, '/baseUrl'],
        [{ ...servicenow, name: 'Service Now' }, '/name'],
        [{ ...servicenow, kind: 'jira', settings: {} }, '/settings/projectKey'],
        [{ ...servicenow, settings: { colour: 'blue' } }, '/settings'],
        [{ ...servicenow, secret: '' }, '/secret'],
      ];
      for (const [body, field] of bad) {
        const response = await server.call('POST', '/itsm/connections', { body });
        assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
        assert.ok(
          response.body.errors.some((e: { field: string }) =>
            e.field.replace(/^\/body/, '').startsWith(field),
          ),
          `${field}: ${JSON.stringify(response.body.errors)}`,
        );
      }
      assert.deepEqual((await server.call('GET', '/itsm/connections')).body, []);

      const sn = await server.call('POST', '/itsm/connections', { body: servicenow });
      assert.equal(sn.status, 201, JSON.stringify(sn.body));
      assert.equal(sn.body.secret, '********');
      const jira = await server.call('POST', '/itsm/connections', {
        body: {
          name: 'jira',
          kind: 'jira',
          baseUrl: fake.url,
          auth: 'bearer',
          secret: JIRA_TOKEN,
          settings: { projectKey: 'CHG', issueType: 'Change', cancelTransition: 'Cancel' },
        },
      });
      assert.equal(jira.status, 201, JSON.stringify(jira.body));
      const again = await server.call('POST', '/itsm/connections', { body: servicenow });
      assert.equal(again.status, 409);
      const reads = JSON.stringify([
        (await server.call('GET', '/itsm/connections')).body,
        (await server.call('GET', '/itsm/connections/jira')).body,
        (await server.call('GET', '/audit?subjectType=itsm-connection')).body,
      ]);
      assert.match(reads, /\*{8}/);
      assert.equal(reads.includes(SN_PASSWORD), false);
      assert.equal(reads.includes(JIRA_TOKEN), false);
    });

    test('Approve opens the change in both tools; a deployment is noted; cancelling closes it', async () => {
      const key = await newRelease();
      await moveTo(key, 'prepare', 'test');
      await sync();
      assert.deepEqual(await changes(key), [], 'nothing before Approve');
      await moveTo(key, 'approve');
      const first = await sync();
      assert.equal(first.done, 2, JSON.stringify(first));
      const [jira, sn] = await changes(key);
      assert.equal(sn.connection, 'servicenow');
      assert.match(sn.number, /^CHG\d{7}$/);
      assert.equal(sn.state, 'open');
      assert.equal(sn.url, `${fake.url}/change_request.do?sys_id=${sn.externalId}`);
      const record = fake.serviceNow.get(sn.externalId)!;
      assert.equal(record.correlation_id, key);
      assert.match(record.short_description, new RegExp(`^${key}: Payments API 2.4`));
      assert.equal(jira.connection, 'jira');
      assert.equal(jira.number, 'CHG-1');
      assert.equal(jira.url, `${fake.url}/browse/CHG-1`);
      assert.equal(fake.jira.get('CHG-1')!.issuetype, 'Change');
      assert.ok(
        fake.requests.some(
          (r) => r.path.startsWith('/api/now') && r.authorization?.startsWith('Basic '),
        ),
      );
      assert.ok(fake.requests.some((r) => r.authorization === `Bearer ${JIRA_TOKEN}`));

      const deployed = await server.call('POST', `/releases/${key}/deployments`, {
        body: { service: 'payments-api', environment: 'sit', status: 'started' },
      });
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
      assert.equal((await sync()).done, 2);
      assert.ok(
        record.work_notes.some((n) => /payments-api started in sit/.test(n)),
        record.work_notes.join('|'),
      );
      assert.ok(
        fake.jira.get('CHG-1')!.comments.some((c) => /payments-api started in sit/.test(c)),
      );

      await moveTo(key, 'cancelled');
      assert.equal((await sync()).done, 2);
      assert.equal(record.state, '4');
      assert.equal(fake.jira.get('CHG-1')!.status, 'Canceled');
      const closed = await changes(key);
      assert.deepEqual(
        closed.map((c) => [c.connection, c.state, c.outcome, c.pendingOperations]),
        [
          ['jira', 'closed', 'cancelled', 0],
          ['servicenow', 'closed', 'cancelled', 0],
        ],
      );
      const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${key}`);
      const actions = audit.body.items.map((e: { action: string }) => e.action);
      assert.ok(actions.includes('itsm.change.opened'));
      assert.ok(actions.includes('itsm.change.closed'));
    });

    test('ITSM down, slow, then rate-limiting: the release proceeds; retries back off and honour Retry-After', async () => {
      await setActive('jira', false);
      const key = await newRelease();
      fake.faults.push(
        { status: 503 },
        { status: 200, delayMs: 1_000 },
        { status: 429, retryAfter: '120' },
      );
      await moveTo(key, 'prepare', 'test', 'approve');
      assert.equal(
        (await server.call('GET', `/releases/${key}`)).body.state,
        'approve',
        'the release moved on without waiting for the ITSM',
      );
      let result = await sync();
      assert.deepEqual(result, { attempted: 1, done: 0, retrying: 1, failed: 0 });
      let waiting = await backlog();
      assert.equal(waiting.pending, 1);
      let [op] = waiting.operations;
      assert.equal(op.release, key);
      assert.equal(op.kind, 'open');
      assert.equal(op.lastStatusCode, 503);
      assert.match(op.lastError, /HTTP 503: Service unavailable/);
      // First wait: base 1 s, equal jitter with random 0.5 → 750 ms.
      assert.equal(Date.parse(op.nextAttemptAt), nowMs + 750);
      nowMs += 749;
      assert.equal((await sync()).attempted, 0, 'not due yet');
      nowMs += 1;
      result = await sync();
      assert.equal(result.retrying, 1);
      [op] = (await backlog()).operations;
      assert.equal(op.lastStatusCode, null);
      assert.match(op.lastError, /no answer from .* within 300 ms/);
      // Second wait: ceiling 2 s → 1.5 s.
      assert.equal(Date.parse(op.nextAttemptAt), nowMs + 1_500);
      nowMs += 1_500;
      assert.equal((await sync()).retrying, 1);
      [op] = (await backlog()).operations;
      assert.equal(op.lastStatusCode, 429);
      assert.equal(Date.parse(op.nextAttemptAt), nowMs + 120_000, 'Retry-After: 120');
      nowMs += 119_999;
      assert.equal((await sync()).attempted, 0);
      nowMs += 1;
      assert.equal((await sync()).done, 1);
      waiting = await backlog();
      assert.deepEqual([waiting.pending, waiting.failed, waiting.operations], [0, 0, []]);
      const [sn] = await changes(key);
      assert.equal(sn.state, 'open');
      await moveTo(key, 'cancelled');
      await sync();
      await setActive('jira', true);
    });

    test('4xx answers fail with the tool’s own error text, hold later operations, and go once retried', async () => {
      await setActive('jira', false);
      const wrong = await server.call('PATCH', '/itsm/connections/servicenow', {
        body: { secret: 'an-outdated-password' },
      });
      assert.equal(wrong.status, 200);
      assert.equal(wrong.body.secret, '********');
      const key = await newRelease();
      await moveTo(key, 'prepare', 'test', 'approve', 'cancelled');
      const result = await sync();
      assert.deepEqual(result, { attempted: 1, done: 0, retrying: 0, failed: 1 });
      const stuck = await backlog();
      assert.equal(stuck.failed, 1);
      assert.equal(stuck.pending, 1, 'the close waits behind the failed open');
      const failed = stuck.operations.find((o: any) => o.status === 'failed');
      assert.equal(failed.lastStatusCode, 401);
      assert.equal(
        failed.lastError,
        'HTTP 401: User Not Authenticated: Required to provide Auth information',
      );
      assert.equal((await sync()).attempted, 0, 'a failed open holds the close');

      const early = await server.call(
        'POST',
        `/itsm/operations/${stuck.operations.find((o: any) => o.status === 'pending').id}/retry`,
        { body: {} },
      );
      assert.equal(early.status, 409);
      assert.equal(
        (await server.call('POST', '/itsm/operations/nope/retry', { body: {} })).status,
        404,
      );
      assert.equal(
        (
          await server.call('POST', `/itsm/operations/${failed.id}/retry`, {
            body: {},
            token: managerToken,
          })
        ).status,
        403,
      );
      await server.call('PATCH', '/itsm/connections/servicenow', { body: { secret: SN_PASSWORD } });
      const retried = await server.call('POST', `/itsm/operations/${failed.id}/retry`, {
        body: {},
      });
      assert.equal(retried.status, 200, JSON.stringify(retried.body));
      assert.equal((await sync()).done, 2);
      const [sn] = await changes(key);
      assert.deepEqual([sn.state, sn.outcome], ['closed', 'cancelled']);

      // A change deleted on the ServiceNow side: the note fails with its 404 body.
      const gone = await newRelease();
      await moveTo(gone, 'prepare', 'test', 'approve');
      await sync();
      const [opened] = await changes(gone);
      fake.serviceNow.delete(opened.externalId);
      await moveTo(gone, 'cancelled');
      assert.equal((await sync()).failed, 1);
      const [missing] = (await backlog()).operations;
      assert.equal(missing.lastStatusCode, 404);
      assert.match(missing.lastError, /No Record found/);
      await setActive('jira', true);

      // Jira refusing the issue: its field errors are kept.
      await setActive('servicenow', false);
      await server.call('PATCH', '/itsm/connections/jira', {
        body: { settings: { projectKey: 'NOPE' } },
      });
      const refused = await newRelease();
      await moveTo(refused, 'prepare', 'test', 'approve');
      assert.equal((await sync()).failed, 1);
      const jiraFailure = (await backlog()).operations.find((o: any) => o.release === refused);
      assert.equal(jiraFailure.lastStatusCode, 400);
      assert.equal(jiraFailure.lastError, 'HTTP 400: project: valid project is required');
    });
  });
}
