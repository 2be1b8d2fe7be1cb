/**
 * The declared authorisation matrix (src/http/access-matrix.ts) against behaviour: every
 * route in /openapi.json and in Fastify's route table is called with a minimal request
 * generated from its schema, as an anonymous caller and with a token for each role.
 * Anonymous → 401 unless the route is public; a role outside the entry → 403 problem; a
 * role inside it → anything but 401/403. A route without an entry fails, and so does an
 * entry without a route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLES, type Role } from '../src/domain/access.js';
import { ACCESS_MATRIX, type RouteAccess } from '../src/http/access-matrix.js';
import { sqliteEngine } from './support/engines.js';
import {
  fillPath,
  generateRequest,
  operationsOf,
  type Operation,
} from './support/openapi-requests.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

type Caller = Role | 'anonymous';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES];

/** `GET /releases/:id` → `GET /releases/{id}`; every built UI file is covered by `/ui/*`. */
function matrixKey(method: string, url: string): string {
  if (method === 'GET' && url.startsWith('/ui/') && url !== '/ui/') return 'GET /ui/*';
  return `${method} ${url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
}

/**
 * Where the permission depends on the body, the request the matrix entry describes. A purge
 * that applies needs retention:manage; the entry declares the dry run.
 */
const DECLARED_REQUESTS: Record<string, { body: unknown }> = {
  'POST /retention/purge': { body: { apply: false } },
};

interface Probe {
  key: string;
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('authorisation matrix', () => {
  let server: TestServer;
  let operations: Operation[];
  let releaseId: string;
  const tokens = new Map<Caller, string | null>([['anonymous', null]]);

  before(async () => {
    server = await startTestServer(sqliteEngine);
    await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
    releaseId = (await server.call('POST', '/releases', { body: releaseBody() })).body.id;
    for (const role of ROLES) {
      const user = `matrix-${role}`;
      const created = await server.call('POST', '/users', { body: { name: user, roles: [role] } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const issued = await server.call('POST', '/tokens', { body: { name: 'matrix', user } });
      tokens.set(role, issued.body.token);
    }
    operations = operationsOf((await server.call('GET', '/openapi.json', { token: null })).body);
  });
  after(async () => server?.close());

  function registeredKeys(): Map<string, boolean> {
    const keys = new Map<string, boolean>();
    for (const route of server.running.server.registeredRoutes)
      if (route.method !== 'HEAD') keys.set(matrixKey(route.method, route.url), route.public);
    return keys;
  }

  test('every route has an entry, and every entry a route', () => {
    const routes = registeredKeys();
    for (const operation of operations) routes.set(`${operation.method} ${operation.path}`, false);
    const declared = new Set(Object.keys(ACCESS_MATRIX));
    const missing = [...routes.keys()].filter((key) => !declared.has(key));
    const stale = [...declared].filter((key) => !routes.has(key));
    assert.deepEqual(missing, [], `routes without an entry in src/http/access-matrix.ts`);
    assert.deepEqual(stale, [], `entries in src/http/access-matrix.ts without a route`);
    assert.ok(routes.size >= 150, `expected the whole API, found ${routes.size} routes`);
  });

  test('a route asks for no token exactly when its entry says so', () => {
    const asksNoToken = (access: RouteAccess) => access.kind !== 'roles';
    for (const [key, isPublic] of registeredKeys())
      assert.equal(isPublic, asksNoToken(ACCESS_MATRIX[key]!), `${key}: route config vs matrix`);
    for (const operation of operations) {
      const key = `${operation.method} ${operation.path}`;
      assert.equal(
        operation.publicInDocument,
        asksNoToken(ACCESS_MATRIX[key]!),
        `${key}: security in /openapi.json vs matrix`,
      );
    }
  });

  test('every route answers every role and an anonymous caller as declared', async () => {
    const probes: Probe[] = operations.map((operation) => {
      const generated = generateRequest(operation, { seed: 7, minimal: true });
      // The release that exists, so release routes reach their use case.
      const path = fillPath(operation.path, (name) =>
        name === 'id' && operation.path.startsWith('/releases/')
          ? releaseId
          : generated.params[name]!,
      );
      const query = new URLSearchParams(generated.query).toString();
      const key = `${operation.method} ${operation.path}`;
      if (DECLARED_REQUESTS[key]) generated.body = DECLARED_REQUESTS[key].body;
      return {
        key,
        method: operation.method,
        path: query ? `${path}?${query}` : path,
        ...(generated.body !== undefined
          ? { body: generated.body, contentType: operation.contentType! }
          : {}),
      };
    });
    const documented = new Set(probes.map((probe) => probe.key));
    for (const [key] of registeredKeys())
      if (!documented.has(key)) {
        const [method, url] = key.split(' ') as [string, string];
        probes.push({ key, method, path: url.replace('*', 'releases') });
      }

    const failures: string[] = [];
    const calls = probes.flatMap((probe) => CALLERS.map((caller) => ({ probe, caller })));
    await inParallel(calls, 12, async ({ probe, caller }) => {
      const access = ACCESS_MATRIX[probe.key]!;
      const response = await server
        .call(probe.method, probe.path, {
          token: tokens.get(caller) ?? null,
          headers: {
            'if-match': '"1"',
            ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
          },
          ...(probe.body !== undefined ? { body: probe.body } : {}),
        })
        .catch((error: Error) => {
          failures.push(`${probe.key} as ${caller}: ${error.message} ${String(error.cause)}`);
          return null;
        });
      if (!response) return;
      const status = response.status;
      const said = `${probe.key} as ${caller} → ${status} ${JSON.stringify(response.body).slice(0, 160)}`;
      if (status >= 500) failures.push(`server error: ${said}`);
      else if (access.kind === 'public') {
        if (status === 401 || status === 403) failures.push(`public route refused: ${said}`);
      } else if (access.kind === 'signed') {
        // No signature was sent: a bearer token is no substitute for one.
        if (status !== 401 || response.body?.code !== 'bad-signature')
          failures.push(`signed route without a signature not refused 401: ${said}`);
      } else if (caller === 'anonymous') {
        if (status !== 401 || response.body?.code !== 'unauthenticated')
          failures.push(`anonymous not refused 401: ${said}`);
      } else if (access.roles.includes(caller)) {
        if (status === 401 || status === 403) failures.push(`declared role refused: ${said}`);
      } else if (status !== 403 || response.body?.code !== 'forbidden')
        failures.push(`undeclared role not refused 403: ${said}`);
    });
    assert.ok(calls.length >= 150 * CALLERS.length, `only ${calls.length} calls`);
    assert.deepEqual(failures.sort(), [], failures.join('\n'));
  });
});
