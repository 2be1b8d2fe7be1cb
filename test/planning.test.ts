/**
 * Dependency-aware planning and risk over HTTP on both engines: deploy and rollback
 * order, downstream impact, the explainable risk score, the risk register and heat map.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

for (const engine of await engines()) {
  describe(`planning and risk over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
    });
    after(async () => server?.close());

    const create = async (overrides: Record<string, unknown>) => {
      const response = await server.call('POST', '/releases', { body: releaseBody(overrides) });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body.key as string;
    };

    test('deploy order puts dependencies first; rollback order is its reverse', async () => {
      const key = await create({
        services: ['payments-api', 'auth', 'ledger'].map((service) => ({
          service,
          version: '3.0.0',
        })),
      });
      const response = await server.call('GET', `/releases/${key}/dependencies`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body.deployOrder, ['auth', 'ledger', 'payments-api']);
      assert.deepEqual(response.body.rollbackOrder, ['payments-api', 'ledger', 'auth']);
      assert.deepEqual(response.body.downstream, []);
      assert.deepEqual(response.body.customerFacing.changed, ['payments-api']);
    });

    test('downstream impact names every dependent service and marks the customer-facing ones', async () => {
      const key = await create({ services: [{ service: 'auth', version: '5.1.0' }] });
      const response = await server.call('GET', `/releases/${key}/dependencies`);
      assert.deepEqual(
        response.body.downstream.map(
          (d: { service: string; customerFacing: boolean; via: string[] }) => [
            d.service,
            d.customerFacing,
            d.via,
          ],
        ),
        [
          ['ledger', false, ['auth']],
          ['payments-api', true, ['auth']],
        ],
      );
      assert.deepEqual(response.body.customerFacing.downstream, ['payments-api']);
      assert.equal((await server.call('GET', '/releases/REL-999/dependencies')).status, 404);
    });
  });
}
