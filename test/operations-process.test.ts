/**
 * `gatehouse serve` as a real process, as an operator runs it: every log line is JSON
 * with its request id and no credential a caller sent ever reaches the log; SIGTERM
 * stops accepting, lets the request in flight finish, and exits 0.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sqliteEngine } from './support/engines.js';
import { startServerProcess, type ServerProcess } from './support/process.js';
import { TEST_CATALOG } from './support/server.js';

async function startServe(
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<{
  server: ServerProcess;
  token: string;
  cleanUp: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ops-'));
  const scratch = await sqliteEngine.scratch();
  const server = await startServerProcess(
    ['--data-dir', join(dir, 'data'), '--database-url', scratch.url, ...extra],
    env,
  );
  const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
  return {
    server,
    token,
    cleanUp: async () => {
      if (server.child.exitCode === null) await server.stop();
      await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A value nobody could mistake for anything else in a log. */
const secretValue = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

describe('logs of a real server process', () => {
  test('are JSON lines with request ids, and carry no token, secret or password', async () => {
    const { server, token: adminToken, cleanUp } = await startServe(['--log-level', 'trace']);
    try {
      const send = async (
        method: string,
        path: string,
        options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
      ) => {
        const headers: Record<string, string> = { ...options.headers };
        const token = options.token === undefined ? adminToken : options.token;
        if (token) headers.authorization ??= `Bearer ${token}`;
        let body: string | undefined;
        if (options.body !== undefined) {
          headers['content-type'] ??= 'application/json';
          body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        }
        const response = await fetch(server.url + path, { method, headers, body });
        const text = await response.text();
        return { status: response.status, text, json: () => JSON.parse(text) };
      };

      const secrets: string[] = [adminToken];
      assert.equal((await send('POST', '/catalog/apply', { body: TEST_CATALOG })).status, 200);

      // A token is created, shown once, then used.
      const created = await send('POST', '/tokens', { body: { name: 'pipeline' } });
      assert.equal(created.status, 201, created.text);
      const pipelineToken = created.json().token as string;
      secrets.push(pipelineToken);
      assert.equal((await send('GET', '/releases', { token: pipelineToken })).status, 200);
      // A token that is refused, and one in a malformed header.
      const wrongToken = secretValue('gth_wrong');
      secrets.push(wrongToken);
      assert.equal((await send('GET', '/releases', { token: wrongToken })).status, 401);
      assert.equal(
        (await send('GET', '/releases', { headers: { authorization: `Token ${wrongToken}` } }))
          .status,
        401,
      );

      // Webhook secrets set, then used to sign or authenticate deliveries.
      const githubSecret = secretValue('gh-secret');
      const gitlabSecret = secretValue('gl-secret');
      const azurePassword = secretValue('azure-password');
      secrets.push(githubSecret, gitlabSecret, azurePassword);
      for (const [channel, secret] of [
        ['github', githubSecret],
        ['gitlab', gitlabSecret],
        ['azure-devops', azurePassword],
      ] as const) {
        const set = await send('PUT', `/webhooks/${channel}/secret`, { body: { secret } });
        assert.ok(set.status >= 200 && set.status < 300, set.text);
      }
      const delivery = JSON.stringify({ object_kind: 'deployment', status: 'success' });
      await send('POST', '/webhooks/gitlab', {
        token: null,
        body: delivery,
        headers: { 'x-gitlab-token': gitlabSecret, 'x-gitlab-event': 'Deployment Hook' },
      });
      await send('POST', '/webhooks/gitlab', {
        token: null,
        body: delivery,
        headers: { 'x-gitlab-token': `${gitlabSecret}-not`, 'x-gitlab-event': 'Deployment Hook' },
      });
      const signature = createHmac('sha256', githubSecret).update(delivery).digest('hex');
      secrets.push(signature);
      await send('POST', '/webhooks/github', {
        token: null,
        body: delivery,
        headers: { 'x-hub-signature-256': `sha256=${signature}`, 'x-github-event': 'deployment' },
      });
      const basic = Buffer.from(`azure:${azurePassword}`).toString('base64');
      secrets.push(basic);
      await send('POST', '/webhooks/azure-devops', {
        token: null,
        body: delivery,
        headers: { authorization: `Basic ${basic}` },
      });

      // Outbound secrets: a notification subscription and an ITSM connection (whose
      // sync then fails against a closed port, from the scheduler).
      const signingSecret = secretValue('notify-secret');
      const itsmPassword = secretValue('itsm-password');
      const urlPassword = secretValue('url-password');
      secrets.push(signingSecret, itsmPassword, urlPassword);
      const subscription = await send('POST', '/notifications/subscriptions', {
        body: {
          name: 'ops-log-check',
          url: `http://hook:${urlPassword}@127.0.0.1:1/hook`,
          secret: signingSecret,
        },
      });
      assert.ok(subscription.status < 500, subscription.text);
      const itsm = await send('POST', '/itsm/connections', {
        body: {
          name: 'snow',
          kind: 'servicenow',
          baseUrl: `http://svc:${urlPassword}@127.0.0.1:1`,
          auth: 'basic',
          username: 'svc',
          secret: itsmPassword,
        },
      });
      assert.ok(itsm.status < 500, itsm.text);

      // Credentials in places they do not belong: a query string, a malformed body,
      // a body that fails validation.
      const queryToken = secretValue('query-token');
      secrets.push(queryToken);
      await send('GET', `/releases?token=${queryToken}&access_token=${queryToken}`);
      await send('POST', '/tokens', { body: `{"name": "x", "password": "${queryToken}"` });
      await send('PUT', '/webhooks/github/secret', {
        body: { secret: githubSecret, password: queryToken },
      });
      // A request whose id the caller chose.
      await send('GET', '/releases', { headers: { 'x-request-id': 'ops-log-check-1' } });
      // Let the scheduler try (and fail) to deliver to the closed port once.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await server.stop('SIGTERM'), 0);

      const lines = server
        .stdout()
        .split('\n')
        .filter((line) => line.trim() !== '');
      assert.ok(lines.length > 20, `expected a log line per request event, got ${lines.length}`);
      const entries = lines.map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          assert.fail(`a log line that is not JSON: ${line}`);
        }
      });
      const requestLines = entries.filter((e) => e.req !== undefined || e.res !== undefined);
      assert.ok(requestLines.length >= 20);
      for (const entry of requestLines)
        assert.equal(typeof entry.reqId, 'string', `no reqId on ${JSON.stringify(entry)}`);
      const chosen = entries.filter((e) => e.reqId === 'ops-log-check-1');
      assert.ok(chosen.length >= 2, 'the incoming and completed lines carry the chosen id');

      const everything = server.stdout() + server.stderr().replace(adminToken, '<banner>');
      for (const secret of secrets)
        assert.ok(
          !everything.includes(secret),
          `a secret leaked into the log: ${secret.slice(0, 12)}… in\n${lines
            .filter((l) => l.includes(secret))
            .join('\n')}`,
        );
      // The banner shows the first admin token once, on stderr, by design; never stdout.
      assert.ok(!server.stdout().includes(adminToken));
      assert.match(
        server.stdout(),
        /\[redacted\]/,
        'the masked query parameter is visible as masked',
      );
    } finally {
      await cleanUp();
    }
  });
});

/** True once nothing accepts connections on the server's port any more. */
async function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('warnings of a real server process', () => {
  test('reach the JSON log, with their code, those from before the log existed as well', async () => {
    // Preloaded into the server: one warning as soon as `serve` listens for warnings,
    // while it is still starting (as the store's is, when its SQLite checkpointer cannot
    // start), and one when the test asks, once it serves.
    const preload = [
      'const on = process.on.bind(process);',
      'process.on = (event, listener) => {',
      '  on(event, listener);',
      "  if (event === 'warning' && !globalThis.warned) {",
      '    globalThis.warned = true;',
      "    process.emitWarning('held until the log exists', { code: 'GATEHOUSE_TEST_EARLY' });",
      '  }',
      '  return process;',
      '};',
      "on('SIGUSR2', () => process.emitWarning('while serving', { code: 'GATEHOUSE_TEST_LATE' }));",
    ].join('\n');
    const { server, cleanUp } = await startServe(['--log-level', 'warn'], {
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(preload)}`,
    });
    try {
      server.child.kill('SIGUSR2');
      const logged = () =>
        server
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { level: number; code?: string; msg: string });
      for (let waited = 0; waited < 10_000; waited += 50) {
        if (logged().some((entry) => entry.code === 'GATEHOUSE_TEST_LATE')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const warnings = logged().filter((entry) => entry.code?.startsWith('GATEHOUSE_TEST_'));
      assert.deepEqual(
        warnings.map((entry) => [entry.level, entry.code, entry.msg]),
        [
          [40, 'GATEHOUSE_TEST_EARLY', 'held until the log exists'],
          [40, 'GATEHOUSE_TEST_LATE', 'while serving'],
        ],
      );
      assert.match(server.stderr(), /\[GATEHOUSE_TEST_EARLY\] Warning: held until the log exists/);
    } finally {
      await cleanUp();
    }
  });
});

describe('graceful shutdown of a real server process', () => {
  test('SIGTERM: new connections refused, the request in flight completes, exit 0', async () => {
    const { server, token, cleanUp } = await startServe();
    try {
      const body = Buffer.from(JSON.stringify(TEST_CATALOG));
      const { hostname, port } = new URL(server.url);
      let answered!: (value: { status: number; text: string }) => void;
      const answer = new Promise<{ status: number; text: string }>((r) => (answered = r));
      const inFlight = httpRequest(
        {
          host: hostname,
          port: Number(port),
          method: 'POST',
          path: '/catalog/apply',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': body.length,
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => answered({ status: response.statusCode ?? 0, text }));
        },
      );
      inFlight.on('error', (error) => answered({ status: -1, text: error.message }));
      // The headers and half the body are sent: the request is in flight.
      inFlight.write(body.subarray(0, body.length >> 1));
      await new Promise((resolve) => setTimeout(resolve, 500));

      const exited = server.stop('SIGTERM');
      let refused = false;
      for (let attempt = 0; attempt < 100 && !refused; attempt++) {
        refused = await refusesConnections(server.url);
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(refused, 'the listener closed after SIGTERM');
      assert.equal(server.child.exitCode, null, 'still running while a request is in flight');

      inFlight.end(body.subarray(body.length >> 1));
      const response = await answer;
      assert.equal(response.status, 200, response.text);
      assert.equal(JSON.parse(response.text).summary.created, 9);
      assert.equal(await exited, 0);
      assert.match(server.stderr(), /Gatehouse stopped/);
    } finally {
      await cleanUp();
    }
  });
});
