/**
 * Production deployments and the gate, over HTTP on both engines and from the CLI: a
 * release whose production gate fails cannot be recorded as deployed there (from the
 * API, `gatehouse deploy record`, or an event, which becomes a dead letter with the
 * gate's reasons); an emergency release passes on its own, lighter path; history is
 * imported only by those allowed to, and audited as an import.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { engines, type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const sbom = readFileSync(new URL('./fixtures/evidence/gatehouse.cdx.json', import.meta.url));

for (const engine of await engines()) {
  describe(`the production gate on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let deployerToken: string;
    let managerToken: string;

    const release = async (overrides: Record<string, unknown> = {}) => {
      const created = await server.call('POST', '/releases', { body: releaseBody(overrides) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.key as string;
    };
    const deploy = (key: string, body: Record<string, unknown>, token?: string) =>
      server.call('POST', `/releases/${key}/deployments`, {
        body: { service: 'payments-api', environment: 'prod', region: 'eu-west', ...body },
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
        ['rita', ['release-manager']],
        ['quinn-cab', ['cab-member']], // a named emergency approver of the shipped policy
      ] as const)
        assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
      const token = async (user: string) =>
        (await server.call('POST', '/tokens', { body: { name: 't', user } })).body.token as string;
      deployerToken = await token('dana');
      managerToken = await token('rita');
    });
    after(async () => server?.close());

    test('a release whose production gate fails is refused with the rules, nothing written', async () => {
      const key = await release();
      const refused = await deploy(key, { status: 'started' });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'gate-not-passed');
      assert.match(refused.body.detail, /its gate \(policy streamlined-production\) does not pass/);
      const checks = refused.body.failedChecks.map((c: { check: string }) => c.check);
      assert.ok(checks.includes('tests-pass-rate'), checks.join());
      assert.ok(checks.includes('prior-environment-verified'), checks.join());
      assert.deepEqual((await server.call('GET', `/releases/${key}/deployments`)).body, []);
      // Outside production the gate is not asked: a UAT deployment is recorded.
      const uat = await deploy(key, { environment: 'uat', status: 'succeeded' });
      assert.equal(uat.status, 201, JSON.stringify(uat.body));
    });

    test('an emergency release deploys on its allowed path (rollback plan, no critical vulnerabilities, a named approver)', async () => {
      const key = await release({ classification: 'emergency', title: 'Hotfix for refunds' });
      const before = await deploy(key, { status: 'succeeded' });
      assert.equal(before.status, 409);
      assert.deepEqual(
        before.body.failedChecks.map((c: { check: string }) => c.check),
        ['critical-vulnerabilities', 'approvals-complete'],
      );
      for (const to of ['prepare', 'test', 'approve'])
        assert.equal(
          (await server.call('POST', `/releases/${key}/transitions`, { body: { to } })).status,
          200,
        );
      const quinn = (
        await server.call('POST', '/tokens', { body: { name: 't', user: 'quinn-cab' } })
      ).body.token as string;
      const approved = await server.call('POST', `/releases/${key}/approvals`, {
        body: { stage: 'final', comment: 'incident call' },
        token: quinn,
      });
      assert.equal(approved.status, 201, JSON.stringify(approved.body));
      const uploaded = await fetch(`${server.url}/releases/${key}/evidence?type=cyclonedx`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          'content-type': 'application/octet-stream',
        },
        body: sbom,
      });
      assert.equal(uploaded.status, 201);
      const deployed = await deploy(key, { status: 'succeeded' });
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
      // The same evidence does not open the normal path to a minor release.
      const minor = await release();
      await fetch(`${server.url}/releases/${minor}/evidence?type=cyclonedx`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          'content-type': 'application/octet-stream',
        },
        body: sbom,
      });
      assert.equal((await deploy(minor, { status: 'succeeded' })).status, 409);
    });

    test('history is imported only by those allowed to, and audited as an import', async () => {
      const key = await release();
      const past = {
        status: 'succeeded',
        startedAt: '2026-01-05T10:00:00Z',
        finishedAt: '2026-01-05T10:20:00Z',
        historyImport: 'migrated from the old deployment tracker',
      };
      const deployer = await deploy(key, past);
      assert.equal(deployer.status, 403);
      assert.match(deployer.body.detail, /import past deployments/);
      const manager = await deploy(key, past, managerToken);
      assert.equal(manager.status, 201, JSON.stringify(manager.body));
      assert.equal(manager.body.historyImport, 'migrated from the old deployment tracker');
      const audit = await server.call(
        'GET',
        `/audit?subjectType=deployment&subjectId=${manager.body.id}`,
      );
      assert.deepEqual(
        audit.body.items.map((e: { action: string }) => e.action),
        ['deployment.imported'],
      );
    });

    test('an event for a production deployment the gate refuses is a dead letter with its reasons', async () => {
      const key = await release({
        services: [{ service: 'ledger', version: '5.0.0', artifact: 'pkg:oci/ledger@5.0.0' }],
      });
      const cdevent = {
        context: {
          version: '0.4.1',
          id: 'prod-ledger-5',
          source: '/pipelines/ledger',
          type: 'dev.cdevents.service.deployed.0.2.0',
          timestamp: '2026-02-01T12:00:00Z',
        },
        subject: {
          id: 'ledger',
          source: '/pipelines/ledger',
          type: 'service',
          content: { environment: { id: 'prod' }, artifactId: 'pkg:oci/ledger@5.0.0' },
        },
      };
      const sent = await server.call('POST', '/events/cdevents', {
        body: JSON.stringify({
          specversion: '1.0',
          id: cdevent.context.id,
          source: cdevent.context.source,
          type: cdevent.context.type,
          data: cdevent,
        }),
        headers: { 'content-type': 'application/cloudevents+json' },
        token: deployerToken,
      });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      assert.equal(sent.body.outcome, 'dead-letter');
      assert.match(sent.body.reason, /tests-pass-rate: no JUnit test report/);
      assert.match(sent.body.reason, /prior-environment-verified/);
      assert.deepEqual((await server.call('GET', `/releases/${key}/deployments`)).body, []);
    });
  });
}

describe('gatehouse deploy record and the production gate', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-prod-gate-cli-'));
    const call = (path: string, body: unknown) =>
      fetch(server.url + path, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    assert.equal((await call('/catalog/apply', TEST_CATALOG)).status, 200);
    assert.equal((await call('/releases', releaseBody())).status, 201);
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a refused production deployment exits 1 and prints the failed rules', async () => {
    const result = await runCli(
      [
        'deploy',
        'record',
        'REL-1',
        '--service',
        'payments-api',
        '--env',
        'prod',
        '--region',
        'eu-west',
      ],
      env,
    );
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /REL-1 may not be deployed to prod/);
    assert.match(result.stderr, /✗ tests-pass-rate: no JUnit test report/);
  });
});
