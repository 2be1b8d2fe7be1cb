/**
 * `gatehouse itsm …` as processes against a server process whose scheduler syncs with the
 * local ServiceNow stand-in, logging at debug level: the commands' output and exit codes,
 * and the credential never appearing in the server's log output, in any command's
 * output, or in an answer — even when the ITSM refuses it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sqliteEngine, type Scratch } from './support/engines.js';
import { startFakeItsm, type FakeItsm } from './support/itsm-server.js';
import { runCli, startServerProcess, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

const PASSWORD = 'sn-cli-password-must-stay-hidden';

describe('gatehouse itsm commands', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let fake: FakeItsm;
  let env: Record<string, string>;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(env.GATEHOUSE_URL + path, {
      method,
      headers: {
        authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  /** Polls (the scheduler runs on its own clock) until the check holds; no timing asserted. */
  const eventually = async <T>(read: () => Promise<T>, holds: (v: T) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const value = await read();
      if (holds(value)) return value;
      await sleep(100);
    }
    throw new Error('condition never held');
  };

  before(async () => {
    fake = await startFakeItsm({
      basic: { username: 'gatehouse', password: PASSWORD },
      bearer: 'unused-bearer-token',
    });
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-itsm-cli-'));
    scratch = await sqliteEngine.scratch();
    server = await startServerProcess(
      ['--data-dir', join(dir, 'data'), '--database-url', scratch.url, '--log-level', 'debug'],
      {
        GATEHOUSE_ITSM_INTERVAL_MS: '100',
        GATEHOUSE_ITSM_BACKOFF_MS: '100',
        GATEHOUSE_ITSM_BACKOFF_MAX_MS: '200',
      },
    );
    const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
    env = { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: token };
    assert.equal((await api('POST', '/catalog/apply', TEST_CATALOG)).status, 200);
  });
  after(async () => {
    await server?.stop();
    await fake?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('connect, show, backlog, retry; the password is in no output and no log line', async () => {
    const noSecret = await runCli(
      [
        'itsm',
        'connect',
        'servicenow',
        '--name',
        'sn',
        '--base-url',
        fake.url,
        '--username',
        'gatehouse',
      ],
      env,
    );
    assert.equal(noSecret.code, 2, noSecret.stderr);
    assert.match(noSecret.stderr, /GATEHOUSE_ITSM_SECRET/);
    const badKind = await runCli(
      ['itsm', 'connect', 'remedy', '--name', 'x', '--base-url', fake.url],
      {
        ...env,
        GATEHOUSE_ITSM_SECRET: PASSWORD,
      },
    );
    assert.equal(badKind.code, 2);
    const badUrl = await runCli(
      [
        'itsm',
        'connect',
        'servicenow',
        '--name',
        'sn',
        '--base-url',
        'not a url',
        '--username',
        'g',
      ],
      { ...env, GATEHOUSE_ITSM_SECRET: PASSWORD },
    );
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /baseUrl/);

    // Connected with a wrong password first: the ITSM's 401 is kept, the secret is not.
    const connected = await runCli(
      [
        'itsm',
        'connect',
        'servicenow',
        '--name',
        'sn',
        '--base-url',
        fake.url,
        '--username',
        'gatehouse',
      ],
      { ...env, GATEHOUSE_ITSM_SECRET: 'a-wrong-password-at-first' },
    );
    assert.equal(connected.code, 0, connected.stderr);
    assert.match(connected.stdout, /servicenow connection sn .* secret \*{8}/);
    const listed = await runCli(['itsm', 'list', '--json'], env);
    assert.equal(JSON.parse(listed.stdout)[0].secret, '********');

    const created = await api('POST', '/releases', releaseBody());
    const key = created.body.key as string;
    for (const to of ['prepare', 'test', 'approve'])
      assert.equal((await api('POST', `/releases/${key}/transitions`, { to })).status, 200);
    const failed = await eventually(
      async () => JSON.parse((await runCli(['itsm', 'backlog', '--failed', '--json'], env)).stdout),
      (b) => b.failed === 1,
    );
    assert.equal(failed.operations[0].lastStatusCode, 401);
    const table = await runCli(['itsm', 'backlog'], env);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /0 pending, 1 failed/);

    const fixed = await runCli(['itsm', 'update', 'sn', '--secret-file', '-'], env, PASSWORD);
    assert.equal(fixed.code, 0, fixed.stderr);
    const retried = await runCli(['itsm', 'retry', failed.operations[0].id], env);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /is pending again/);
    const again = await runCli(['itsm', 'retry', failed.operations[0].id], env);
    assert.equal(again.code, 1, 'a pending operation is not retried');

    const shown = await eventually(
      async () => JSON.parse((await runCli(['itsm', 'show', key, '--json'], env)).stdout),
      (changes) => changes.length === 1,
    );
    assert.match(shown[0].number, /^CHG\d{7}$/);
    const human = await runCli(['itsm', 'show', key], env);
    assert.match(human.stdout, new RegExp(shown[0].number));
    assert.equal((await runCli(['itsm', 'show', 'REL-999999'], env)).code, 2, 'unknown release');

    const everything = [
      server.output(),
      connected.stdout,
      listed.stdout,
      table.stdout,
      fixed.stdout,
      human.stdout,
      JSON.stringify(await api('GET', '/audit?limit=500')),
    ].join('\n');
    assert.match(
      server.output(),
      /"msg":"incoming request"/,
      `the server really logged requests:\n${server.output().slice(0, 500)}`,
    );
    assert.equal(everything.includes(PASSWORD), false, 'the password leaked');
    assert.equal(
      everything.includes(Buffer.from(`gatehouse:${PASSWORD}`).toString('base64')),
      false,
    );
  });
});
