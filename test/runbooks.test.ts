/**
 * Runbooks over HTTP on a real port, on SQLite and on PostgreSQL: written, executed step
 * by step by people and pipelines with explicit instants, and read back with each step's
 * duration, the total and where the time went; refusals name the field or the step.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 9, minute)).toISOString();

export const RUNBOOK = {
  preChecks: [{ title: 'Database backup verified', owner: 'dba on call' }],
  steps: [
    { title: 'Drain eu-west', description: 'shift traffic to us-east' },
    { title: 'Deploy payments-api 2.4.0' },
    { title: 'Restore traffic' },
  ],
  validation: [{ title: 'Smoke tests green' }],
  rollback: [{ title: 'Redeploy 2.3.9' }],
  contacts: [{ name: 'Pat', role: 'incident commander', contact: '+49 30 1234567' }],
};

for (const engine of await engines()) {
  describe(`runbooks over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let key: string;
    let deployerToken: string;
    let viewerToken: string;
    const mark = (step: string, action: string, minute?: number, token?: string) =>
      server.call('POST', `/releases/${key}/runbook/steps/${step}`, {
        body: { action, ...(minute === undefined ? {} : { at: at(minute) }) },
        token: token ?? deployerToken,
      });

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      for (const [name, roles] of [
        ['dana', ['deployer']],
        ['vera', ['viewer']],
      ] as const)
        assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
      const token = async (user: string) =>
        (await server.call('POST', '/tokens', { body: { name: 't', user } })).body.token as string;
      deployerToken = await token('dana');
      viewerToken = await token('vera');
      key = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
    });
    after(async () => server?.close());

    test('a runbook is written with its sections and contacts, and audited', async () => {
      const refused = await server.call('PUT', `/releases/${key}/runbook`, {
        body: RUNBOOK,
        token: viewerToken,
      });
      assert.equal(refused.status, 403);
      const written = await server.call('PUT', `/releases/${key}/runbook`, {
        body: RUNBOOK,
        token: deployerToken,
      });
      assert.equal(written.status, 200, JSON.stringify(written.body));
      assert.deepEqual(
        written.body.steps.map((s: { key: string; status: string }) => [s.key, s.status]),
        [
          ['step-1', 'pending'],
          ['step-2', 'pending'],
          ['step-3', 'pending'],
        ],
      );
      assert.equal(written.body.preChecks[0].owner, 'dba on call');
      assert.equal(written.body.contacts[0].role, 'incident commander');
      assert.equal(written.body.timings.totalMs, null);
      const read = await server.call('GET', `/releases/${key}/runbook`, { token: viewerToken });
      assert.deepEqual(read.body, written.body);
      const id = (await server.call('GET', `/releases/${key}`)).body.id;
      const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${id}`);
      assert.ok(
        audit.body.items.some((e: { action: string }) => e.action === 'runbook.created'),
        JSON.stringify(audit.body.items.map((e: { action: string }) => e.action)),
      );
    });

    test('bad runbooks are refused naming the field, nothing written', async () => {
      const other = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
      const empty = await server.call('PUT', `/releases/${other}/runbook`, {
        body: { ...RUNBOOK, steps: [] },
      });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.errors[0].field, '/body/steps');
      const untitled = await server.call('PUT', `/releases/${other}/runbook`, {
        body: { ...RUNBOOK, steps: [{ title: '' }] },
      });
      assert.equal(untitled.status, 400);
      assert.equal(untitled.body.errors[0].field, '/body/steps/0/title');
      const unknown = await server.call('PUT', `/releases/${other}/runbook`, {
        body: { ...RUNBOOK, extra: 1 },
      });
      assert.equal(unknown.status, 400);
      assert.equal((await server.call('GET', `/releases/${other}/runbook`)).status, 404);
    });

    test('steps are marked in order with timings; the total and where the time went follow', async () => {
      const early = await mark('step-1', 'start', 5);
      assert.equal(early.status, 409);
      assert.match(early.body.detail, /step-1 cannot start before pre-check-1/);
      assert.equal((await mark('pre-check-1', 'start', 0, viewerToken)).status, 403);
      assert.equal((await mark('pre-check-1', 'start', 0)).status, 200);
      assert.equal((await mark('pre-check-1', 'complete', 5)).status, 200);
      assert.equal((await mark('step-1', 'start', 10)).status, 200);
      // A pipeline (the admin token here) completes what a person started.
      assert.equal((await mark('step-1', 'complete', 14, server.adminToken)).status, 200);
      assert.equal((await mark('step-2', 'start', 15)).status, 200);
      const failed = await mark('step-2', 'fail', 25);
      assert.equal(failed.body.steps[1].status, 'failed');
      assert.equal((await mark('step-2', 'start', 26)).status, 200);
      assert.equal((await mark('step-2', 'complete', 40)).status, 200);
      assert.equal((await mark('step-3', 'skip', 41)).status, 200);
      const done = await mark('validation-1', 'complete', 45);
      assert.equal(done.status, 200, JSON.stringify(done.body));

      const runbook = (await server.call('GET', `/releases/${key}/runbook`)).body;
      assert.deepEqual(
        runbook.steps.map((s: any) => [s.key, s.status, s.durationMs, s.markedBy]),
        [
          ['step-1', 'done', 4 * 60_000, 'admin'],
          ['step-2', 'done', 14 * 60_000, 'dana'],
          ['step-3', 'skipped', null, 'dana'],
        ],
      );
      assert.equal(runbook.preChecks[0].durationMs, 5 * 60_000);
      assert.equal(runbook.timings.totalMs, 45 * 60_000);
      assert.deepEqual(runbook.timings.bySectionMs, {
        'pre-check': 5 * 60_000,
        step: 18 * 60_000,
        validation: 0,
        rollback: 0,
      });
      assert.equal(runbook.timings.waitingMs, 22 * 60_000);
      assert.equal(runbook.timings.longest[0].key, 'step-2');
      assert.equal(runbook.timings.longest[0].share, 0.311);
      const audit = await server.call(
        'GET',
        `/audit?subjectType=release&subjectId=${(await server.call('GET', `/releases/${key}`)).body.id}`,
      );
      const actions = audit.body.items.map((e: { action: string }) => e.action);
      assert.ok(actions.includes('runbook.created'), actions.join());
      assert.ok(actions.includes('runbook.step.fail'), actions.join());
    });

    test('marks that contradict the record are refused naming the step or the field', async () => {
      const again = await mark('step-1', 'complete', 50);
      assert.equal(again.status, 409);
      assert.match(again.body.detail, /step-1 is already done/);
      const future = await server.call('POST', `/releases/${key}/runbook/steps/rollback-1`, {
        body: { action: 'start', at: new Date(Date.now() + 3_600_000).toISOString() },
      });
      assert.equal(future.status, 400);
      assert.equal(future.body.errors[0].field, '/at');
      const badAction = await server.call('POST', `/releases/${key}/runbook/steps/rollback-1`, {
        body: { action: 'pause' },
      });
      assert.equal(badAction.status, 400);
      assert.equal(badAction.body.errors[0].field, '/body/action');
      assert.equal((await mark('step-9', 'start')).status, 404);
      // Once executed, the runbook cannot be rewritten under its timings.
      const rewrite = await server.call('PUT', `/releases/${key}/runbook`, { body: RUNBOOK });
      assert.equal(rewrite.status, 409);
      assert.equal(rewrite.body.code, 'runbook-in-progress');
    });
  });
}
