/**
 * What every caller is held to, over real HTTP: security headers on every answer, a
 * per-token rate limit answering 429 problems, bodies too large or too deep refused,
 * slow clients cut off, and no cookie ever standing in for a token (the CSRF defence).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sqliteEngine } from './support/engines.js';
import { runCli } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const REQUEST_TIMEOUT_MS = 800;
const IDLE_TIMEOUT_MS = 500;
const RATE_LIMIT = 5;

/** Opens a raw socket, runs `act`, and resolves with what came back once the server closes it. */
function rawExchange(
  url: string,
  act: (socket: Socket) => void,
): Promise<{ received: string; closedByServer: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => act(socket));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      reject(error);
    });
    socket.on('close', () => resolve({ received, closedByServer: true }));
  });
}

describe('HTTP hardening', () => {
  let server: TestServer;
  /** Tight limits so throttling and time-outs show within seconds; HSTS on. */
  let tight: TestServer;

  before(async () => {
    server = await startTestServer(sqliteEngine);
    tight = await startTestServer(sqliteEngine, {
      http: {
        rateLimitPerMinute: RATE_LIMIT,
        hsts: true,
        timeouts: { requestMs: REQUEST_TIMEOUT_MS, idleMs: IDLE_TIMEOUT_MS },
      },
    });
  });
  after(async () => Promise.all([server?.close(), tight?.close()]));

  function assertSecurityHeaders(headers: Headers, what: string) {
    assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
    assert.equal(headers.get('referrer-policy'), 'no-referrer', what);
    assert.equal(headers.get('x-frame-options'), 'DENY', what);
    assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
    assert.equal(headers.get('set-cookie'), null, `${what} sets no cookie`);
  }

  test('every kind of answer carries the security headers; the API forbids loading anything', async () => {
    const answers = {
      data: await server.call('GET', '/catalog'),
      'public data': await server.call('GET', '/healthz', { token: null }),
      unauthenticated: await server.call('GET', '/catalog', { token: null }),
      'not found': await server.call('GET', '/no-such-route'),
      'bad input': await server.call('POST', '/releases', { body: { title: 1 } }),
    };
    for (const [what, answer] of Object.entries(answers)) {
      assertSecurityHeaders(answer.headers, what);
      assert.match(answer.headers.get('content-security-policy')!, /default-src 'none'/, what);
      assert.equal(
        answer.headers.get('strict-transport-security'),
        null,
        `${what}: HSTS is opt-in`,
      );
    }
    assert.equal(answers.unauthenticated.status, 401);
  });

  test('the UI page has its own policy: only its own scripts, styles and API', async (t) => {
    const page = await fetch(`${server.url}/ui/`);
    if (page.status === 404) return t.skip('web UI not built');
    assert.equal(page.status, 200);
    assertSecurityHeaders(page.headers, 'UI page');
    // A page is a document: it also gets the headers only browsing contexts read.
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('origin-agent-cluster'), '?1');
    assert.equal(page.headers.get('x-dns-prefetch-control'), 'off');
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await page.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html');
    assert.doesNotMatch(html, /<style|style="/, 'no inline style in index.html');
  });

  test('HSTS is sent when configured', async () => {
    const answer = await tight.call('GET', '/healthz', { token: null });
    assert.match(answer.headers.get('strict-transport-security') ?? '', /max-age=31536000/);
  });

  test('a token over its limit gets 429 problems with Retry-After; other tokens and /healthz do not', async () => {
    const issued = await tight.call('POST', '/tokens', { body: { name: 'rate' } });
    assert.equal(issued.status, 201);
    const token = issued.body.token as string;
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++)
      statuses.push((await tight.call('GET', '/me', { token })).status);
    assert.deepEqual(statuses, Array(RATE_LIMIT).fill(200));
    const refused = await tight.call('GET', '/me', { token });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'rate-limited');
    assert.equal(refused.body.status, 429);
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After in seconds');
    assertSecurityHeaders(refused.headers, '429');
    assert.match(
      refused.headers.get('x-request-id') ?? '',
      /^[0-9a-f-]{36}$/,
      'a refusal names its request',
    );
    // The admin token spent one request (issuing the token): its own budget is intact.
    assert.equal((await tight.call('GET', '/me')).status, 200);
    for (let i = 0; i < RATE_LIMIT + 2; i++)
      assert.equal((await tight.call('GET', '/healthz', { token: null })).status, 200);
  });

  test('anonymous callers share their address budget, refused 429 before any token check', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 1; i++)
      statuses.push((await tight.call('GET', '/catalog', { token: null })).status);
    assert.deepEqual(statuses, [...Array(RATE_LIMIT).fill(401), 429]);
  });

  test('a body over 1 MiB is refused 413 with a problem document', async () => {
    const body = JSON.stringify({ title: 'x'.repeat(1024 * 1024) });
    const answer = await server.call('POST', '/releases', { body });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.status, 413);
    assert.equal(typeof answer.body.code, 'string');
  });

  test('a body nested deeper than 64 levels is refused 400 naming the body', async () => {
    const answer = await server.call('POST', '/releases', {
      body: '['.repeat(65) + ']'.repeat(65),
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'too-deeply-nested');
    assert.equal(answer.body.errors?.[0]?.field ?? '/body', '/body');
    const still = await server.call('POST', '/releases', { body: '['.repeat(60) + ']'.repeat(60) });
    assert.notEqual(still.body.code, 'too-deeply-nested', '60 levels are parsed (then validated)');
  });

  // Without the time-outs the socket would stay open: the test's own limit fails it.
  test('a client that sends headers and then stalls is cut off', { timeout: 10_000 }, async () => {
    const { received, closedByServer } = await rawExchange(tight.url, (socket) =>
      socket.write(
        'POST /releases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          `Authorization: Bearer ${tight.adminToken}\r\n` +
          'Content-Length: 100\r\n\r\n{"title":',
      ),
    );
    assert.ok(closedByServer);
    assert.ok(received === '' || /^HTTP\/1\.1 408/.test(received), received.slice(0, 100));
  });

  test(
    'a client that trickles its headers, each byte inside the idle time-out, is cut off',
    {
      timeout: 10_000,
    },
    async () => {
      const request = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(10_000);
      let timer: NodeJS.Timeout | undefined;
      let sent = 0;
      const { received } = await rawExchange(tight.url, (socket) => {
        timer = setInterval(() => {
          if (socket.destroyed) return clearInterval(timer);
          socket.write(request[sent++ % request.length]!);
        }, IDLE_TIMEOUT_MS / 5);
        socket.on('close', () => clearInterval(timer));
      });
      clearInterval(timer);
      assert.doesNotMatch(received, /^HTTP\/1\.1 200/, 'never answered as if whole');
      assert.ok(sent < request.length, `cut off after ${sent} bytes, before the request ended`);
    },
  );

  test('a cookie never authenticates: without Authorization the request is refused 401', async () => {
    const withCookie = await server.call('POST', '/tokens', {
      token: null,
      body: { name: 'csrf' },
      headers: {
        cookie: `token=${server.adminToken}; session=${server.adminToken}; gatehouse-token=${server.adminToken}`,
        origin: 'https://evil.example',
      },
    });
    assert.equal(withCookie.status, 401);
    assert.equal(withCookie.body.code, 'unauthenticated');
    const read = await server.call('GET', '/catalog', {
      token: null,
      headers: { cookie: `authorization=Bearer ${server.adminToken}` },
    });
    assert.equal(read.status, 401);
  });

  test('gatehouse serve refuses a bad setting with exit 2 naming it', async () => {
    const result = await runCli(['serve', '--port', '0', '--log-level', 'silent'], {
      GATEHOUSE_RATE_LIMIT: 'lots',
      GATEHOUSE_DATA_DIR: tight.dataDir,
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /GATEHOUSE_RATE_LIMIT/);
  });
});
