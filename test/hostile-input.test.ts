/**
 * No input of any shape produces a 500: every route in the OpenAPI document receives
 * generated bodies, query strings and path parameters, and must answer below 500 with a
 * problem document whenever it refuses. Besides shapeless input, bodies and queries are
 * generated from each operation's own JSON Schema (json-schema-faker) — valid-shaped, then
 * mutated one way or another — so the checks behind validation are reached too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sqliteEngine } from './support/engines.js';
import {
  fillPath,
  generateRequest,
  operationsOf,
  type Operation,
} from './support/openapi-requests.js';
import { startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One change to a valid-shaped value: the kinds of wrong a client sends. */
const mutation = fc.oneof(
  fc.constant((value: Json): Json => value),
  fc.jsonValue({ maxDepth: 2 }).map((other) => (): Json => other as Json),
  fc.nat().map((n) => (value: Json): Json => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 0) return value;
    const { [keys[n % keys.length]!]: _dropped, ...rest } = value;
    return rest;
  }),
  fc
    .tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 }))
    .map(([n, replacement]) => (value: Json): Json => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
      const keys = Object.keys(value);
      if (keys.length === 0) return value;
      return { ...value, [keys[n % keys.length]!]: replacement as Json };
    }),
  fc.string({ maxLength: 20 }).map(
    (key) =>
      (value: Json): Json =>
        value && typeof value === 'object' && !Array.isArray(value)
          ? { ...value, [key]: 'unexpected' }
          : value,
  ),
  fc.constant((value: Json): Json => [value]),
  fc.constant((value: Json): Json =>
    JSON.parse(JSON.stringify(value), (_k, v) =>
      typeof v === 'string' ? v + '\u0000\u202e' + 'x'.repeat(5000) : v,
    ),
  ),
  fc.constant((value: Json): Json =>
    JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === 'number' ? -1e308 : v)),
  ),
);

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

  test("bodies and queries generated from each route's schema, valid or mutated, never get a 500", async () => {
    const openapi = (await server.call('GET', '/openapi.json', { token: null })).body;
    const operations: Operation[] = operationsOf(openapi);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.integer({ min: 1, max: 1_000_000 }),
        mutation,
        fc.boolean(),
        fc.dictionary(
          fc.constantFrom('limit', 'since', 'until', 'by', 'x'),
          fc.string({ maxLength: 12 }),
          {
            maxKeys: 2,
          },
        ),
        async (pick, seed, mutate, mutateQuery, extraQuery) => {
          const operation = operations[pick % operations.length]!;
          const generated = generateRequest(operation, { seed, minimal: false });
          const path = fillPath(operation.path, (name) =>
            name === 'id' && operation.path.startsWith('/releases/')
              ? 'REL-1'
              : generated.params[name]!,
          );
          const query = mutateQuery ? { ...generated.query, ...extraQuery } : generated.query;
          const search = new URLSearchParams(query).toString();
          const body = generated.body === undefined ? undefined : mutate(generated.body as Json);
          const response = await server.call(
            operation.method,
            search ? `${path}?${search}` : path,
            {
              ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
              headers: { 'content-type': operation.contentType ?? 'application/json' },
            },
          );
          const said = `${operation.method} ${path}?${search} with ${JSON.stringify(body)?.slice(0, 200)} → ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
          assert.ok(response.status < 500, said);
          if (response.status >= 400) assert.equal(typeof response.body?.code, 'string', said);
        },
      ),
      { numRuns: 500, timeout: 5_000 },
    );
  });

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
