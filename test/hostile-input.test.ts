/**
 * No input of any shape produces a 500: every route in the OpenAPI document receives
 * generated bodies, query strings and path parameters, and must answer below 500 with a
 * problem document whenever it refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sqliteEngine } from './support/engines.js';
import { startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

describe('hostile input', () => {
  let server: TestServer;
  let routes: Array<{ method: string; path: string }>;

  before(async () => {
    server = await startTestServer(sqliteEngine);
    await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
    const openapi = (await server.call('GET', '/openapi.json', { token: null })).body;
    routes = Object.entries(openapi.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });
  after(async () => server?.close());

  const segment = fc.oneof(
    fc.constantFrom(
      'REL-1',
      'payments-api',
      'admin',
      '00000000-0000-4000-8000-000000000000',
      '%00',
      '..',
      'a'.repeat(300),
    ),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
  );
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constant('{"a":'.repeat(50)),
    fc.constant('['.repeat(5000) + ']'.repeat(5000)),
  );
  const query = fc.dictionary(
    fc.constantFrom('limit', 'cursor', 'state', 'service', 'dryRun', 'subjectId', 'x'),
    fc.string({ maxLength: 30 }),
    { maxKeys: 3 },
  );

  test('generated requests to every route never get a 500', async () => {
    assert.ok(routes.length >= 15, `expected the whole API, found ${routes.length} routes`);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        segment,
        body,
        query,
        fc.boolean(),
        async (pick, param, payload, params, asJson) => {
          const route = routes[pick % routes.length]!;
          const path =
            route.path.replace(/\{[^}]+\}/g, param) + '?' + new URLSearchParams(params).toString();
          const response = await server.call(route.method, path, {
            ...(route.method === 'GET' ? {} : { body: payload }),
            headers: asJson ? {} : { 'content-type': 'text/plain' },
          });
          assert.ok(
            response.status < 500,
            `${route.method} ${path} with ${payload.slice(0, 80)} → ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`,
          );
          if (response.status >= 400)
            assert.equal(
              typeof response.body?.code,
              'string',
              `${route.method} ${path} answered a problem`,
            );
        },
      ),
      { numRuns: 600 },
    );
  });
});
