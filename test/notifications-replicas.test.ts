/**
 * Two `gatehouse serve` processes on one PostgreSQL, both running the scheduler: every
 * event reaches the receiver exactly once, whichever replica recorded the change.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../src/store/database.js';
import { postgresEngine, type Scratch } from './support/engines.js';
import { startServerProcess, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';
import { startReceiver, type Receiver } from './support/webhook-receiver.js';

async function call(url: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Polls until `done` holds; the limit is only a safety net, nothing is measured. */
async function until(done: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

const SECRET = 'replica-test-secret-0123456789';
const pgEngine = await postgresEngine();

describe('notifications from two replicas on one PostgreSQL', { skip: pgEngine.skip }, () => {
  let scratch: Scratch;
  let dir: string;
  let replicas: ServerProcess[] = [];
  let receiver: Receiver;
  let token: string;

  before(async () => {
    scratch = await pgEngine.scratch();
    receiver = await startReceiver();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-notify-replicas-'));
    replicas = await Promise.all(
      ['a', 'b'].map((name) =>
        startServerProcess(
          // Debug logs, so the test can show the secret is in none of them.
          ['--data-dir', join(dir, name), '--database-url', scratch.url, '--log-level', 'debug'],
          {
            GATEHOUSE_SCHEDULER: 'on',
            GATEHOUSE_NOTIFY_INTERVAL_MS: '50',
            GATEHOUSE_WEBHOOK_TIMEOUT_MS: '2000',
            GATEHOUSE_NOTIFY_LEASE_MS: '3000',
          },
        ),
      ),
    );
    token = ['a', 'b']
      .flatMap((name) => {
        try {
          return [readFileSync(join(dir, name, 'admin-token'), 'utf8').trim()];
        } catch {
          return [];
        }
      })
      .at(0)!;
    const url = replicas[0]!.url;
    assert.equal((await call(url, token, 'POST', '/catalog/apply', TEST_CATALOG)).status, 200);
    const created = await call(url, token, 'POST', '/notifications/subscriptions', {
      name: 'board',
      url: `${receiver.url}/board`,
      eventTypes: ['dev.gatehouse.release.*'],
      secret: SECRET,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await receiver?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('each event is delivered exactly once', async () => {
    const keys = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const answer = await call(
          replicas[i % 2]!.url,
          token,
          'POST',
          '/releases',
          releaseBody({ title: `replicated ${i}` }),
        );
        assert.equal(answer.status, 201);
        return answer.body.key as string;
      }),
    );
    await until(() => receiver.on('/board').length >= keys.length, 'every release.created');
    // Both schedulers tick every 50 ms; give them many more ticks to send anything twice.
    await sleep(1500);
    const ids = receiver.on('/board').map((r) => JSON.parse(r.body).id as string);
    assert.equal(ids.length, keys.length, `received ${ids.length} for ${keys.length} events`);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
    const subjects = receiver.on('/board').map((r) => JSON.parse(r.body).subject as string);
    assert.deepEqual([...subjects].sort(), [...keys].sort());
    const log = await call(
      replicas[1]!.url,
      token,
      'GET',
      '/notifications/deliveries?status=succeeded&limit=100',
    );
    assert.equal(log.body.items.length, keys.length);
    assert.ok(log.body.items.every((d: any) => d.attempts === 1));
    for (const replica of replicas) {
      assert.match(replica.output(), /"msg":"incoming request"/, 'request logs were written');
      assert.ok(!replica.output().includes(SECRET), 'the webhook secret is in no log line');
    }
  });
});

describe('a replica that dies holding the dispatcher lease', { skip: pgEngine.skip }, () => {
  test('the other takes over once the lease expires, and nothing is sent twice', async () => {
    const scratch = await pgEngine.scratch();
    const receiver = await startReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-notify-failover-'));
    const replicas = await Promise.all(
      ['a', 'b'].map((name) =>
        startServerProcess(['--data-dir', join(dir, name), '--database-url', scratch.url], {
          GATEHOUSE_NOTIFY_INTERVAL_MS: '50',
          GATEHOUSE_NOTIFY_LEASE_MS: '1500',
        }),
      ),
    );
    const store = openStore(scratch.url);
    let killed: ServerProcess | undefined;
    try {
      const token = ['a', 'b']
        .flatMap((name) => {
          try {
            return [readFileSync(join(dir, name, 'admin-token'), 'utf8').trim()];
          } catch {
            return [];
          }
        })
        .at(0)!;
      const [a] = replicas;
      assert.equal((await call(a!.url, token, 'POST', '/catalog/apply', TEST_CATALOG)).status, 200);
      await call(a!.url, token, 'POST', '/notifications/subscriptions', {
        name: 'board',
        url: `${receiver.url}/board`,
        eventTypes: ['dev.gatehouse.release.created'],
        secret: SECRET,
      });
      await call(a!.url, token, 'POST', '/releases', releaseBody());
      await until(() => receiver.on('/board').length === 1, 'the first event');
      const lease = await store.db
        .selectFrom('job_leases')
        .select('holder')
        .where('name', '=', 'notifications.dispatch')
        .executeTakeFirstOrThrow();
      const holder = replicas.find((r) => lease.holder!.includes(`:${r.child.pid}:`))!;
      const survivor = replicas.find((r) => r !== holder)!;
      // No clean shutdown: the lease stays taken until it expires.
      killed = holder;
      await holder.stop('SIGKILL');
      for (let i = 0; i < 5; i++)
        assert.equal(
          (await call(survivor.url, token, 'POST', '/releases', releaseBody())).status,
          201,
        );
      await until(() => receiver.on('/board').length >= 6, 'the events after the crash');
      await sleep(500);
      const ids = receiver.on('/board').map((r) => JSON.parse(r.body).id as string);
      assert.equal(ids.length, 6);
      assert.equal(new Set(ids).size, 6);
      const after = await store.db
        .selectFrom('job_leases')
        .select('holder')
        .where('name', '=', 'notifications.dispatch')
        .executeTakeFirstOrThrow();
      assert.ok(after.holder!.includes(`:${survivor.child.pid}:`), 'the survivor holds the lease');
    } finally {
      // A process killed by a signal has no exit code; stop() would wait for it forever.
      await Promise.all(replicas.filter((r) => r !== killed).map((r) => r.stop()));
      await store.close();
      await receiver.close();
      await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
