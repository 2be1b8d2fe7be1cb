/**
 * `gatehouse notification …` as processes against a server process whose scheduler
 * delivers to a real local receiver: what the commands print and their exit codes
 * (0 ok, 1 refused, 2 bad input).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';
import { startReceiver, type Receiver } from './support/webhook-receiver.js';

const SECRET = 'cli-test-secret-0123456789';

describe('gatehouse notification commands', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    // The server process inherits these: a brisk scheduler, a receiver that fails once.
    process.env.GATEHOUSE_NOTIFY_INTERVAL_MS = '100';
    process.env.GATEHOUSE_WEBHOOK_BACKOFF_MS = '100';
    process.env.GATEHOUSE_WEBHOOK_MAX_ATTEMPTS = '2';
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-notification-cli-'));
    const catalog = await fetch(`${server.url}/catalog/apply`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(TEST_CATALOG),
    });
    assert.equal(catalog.status, 200);
    delete process.env.GATEHOUSE_NOTIFY_INTERVAL_MS;
    delete process.env.GATEHOUSE_WEBHOOK_BACKOFF_MS;
    delete process.env.GATEHOUSE_WEBHOOK_MAX_ATTEMPTS;
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('subscribe with the secret from standard input; list never shows it', async () => {
    const created = await runCli(
      [
        'notification',
        'subscription',
        'create',
        '--name',
        'ops',
        '--webhook-url',
        `${receiver.url}/ops`,
        '--events',
        'dev.gatehouse.release.*',
        '--format',
        'slack',
        '--secret-file',
        '-',
      ],
      env,
      SECRET + '\n',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /subscription ops .* sends dev\.gatehouse\.release\.\* as slack/);
    const list = await runCli(['notification', 'subscription', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /ops\s+slack\s+dev\.gatehouse\.release\.\*/);
    const json = await runCli(['notification', 'subscription', 'list', '--json'], env);
    assert.ok(!json.stdout.includes(SECRET) && !created.stdout.includes(SECRET));
  });

  test('bad input exits 2 and says why', async () => {
    const noSecret = await runCli(
      [
        'notification',
        'subscription',
        'create',
        '--name',
        'x',
        '--webhook-url',
        'http://127.0.0.1/x',
      ],
      { ...env, GATEHOUSE_WEBHOOK_SECRET: '' },
    );
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /needs a secret/);
    const badUrl = await runCli(
      ['notification', 'subscription', 'create', '--name', 'x', '--webhook-url', 'gopher://x'],
      { ...env, GATEHOUSE_WEBHOOK_SECRET: SECRET },
    );
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /\/url/);
    const badStatus = await runCli(['notification', 'deliveries', '--status', 'lost'], env);
    assert.equal(badStatus.code, 2);
  });

  test('deliveries show failures; redeliver sends again', async () => {
    receiver.answer('/ops', 500);
    const release = await fetch(`${server.url}/releases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(releaseBody()),
    });
    assert.equal(release.status, 201);
    let failed: any[] = [];
    const deadline = Date.now() + 60_000;
    while (failed.length === 0 && Date.now() < deadline) {
      await sleep(100);
      const out = await runCli(['notification', 'deliveries', '--status', 'failed', '--json'], env);
      failed = JSON.parse(out.stdout).items;
    }
    assert.equal(failed.length, 1, 'the delivery failed after its two attempts');
    assert.equal(failed[0].attempts, 2);
    const table = await runCli(['notification', 'deliveries', '--status', 'failed'], env);
    assert.match(
      table.stdout,
      /dev\.gatehouse\.release\.created .*failed\s+2\s+the receiver answered HTTP 500/,
    );

    receiver.answer('/ops', 200);
    const again = await runCli(
      ['notification', 'redeliver', failed[0].id, '--reason', 'receiver fixed'],
      env,
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /queued again/);
    const unknown = await runCli(['notification', 'redeliver', 'no-such-delivery'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /does not exist/);
    let served: any[] = [];
    while (served.length === 0 && Date.now() < deadline) {
      await sleep(100);
      const out = await runCli(
        ['notification', 'deliveries', '--status', 'succeeded', '--json'],
        env,
      );
      served = JSON.parse(out.stdout).items;
    }
    assert.equal(served[0]?.id, failed[0].id);
    const last = receiver.on('/ops').at(-1)!;
    assert.equal(JSON.parse(last.body).text.includes('raised'), true);
  });

  test('delete removes the subscription', async () => {
    const removed = await runCli(['notification', 'subscription', 'delete', 'ops'], env);
    assert.equal(removed.code, 0, removed.stderr);
    const gone = await runCli(['notification', 'subscription', 'delete', 'ops'], env);
    assert.equal(gone.code, 2);
  });
});
