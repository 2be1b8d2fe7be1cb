/**
 * Outbound webhooks through the real API on both engines: subscriptions (admins only,
 * secrets never shown), events derived from the audit log and received on a real local
 * HTTP server that verifies each signature, retries with backoff on a held clock, the
 * delivery log, giving up, and redelivery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HTTP } from 'cloudevents';
import type { App } from '../src/app/context.js';
import { deliverNotifications } from '../src/app/notifications/deliverNotifications.js';
import { dispatchNotifications } from '../src/app/notifications/dispatchNotifications.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
  type NotificationJobSettings,
} from '../src/domain/notification/delivery.js';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';
import { startReceiver, type Receiver } from './support/webhook-receiver.js';

const SECRET = 'receiver-shared-secret-0123456789';
const SETTINGS: NotificationJobSettings = {
  attemptTimeoutMs: 400,
  maxAttempts: 3,
  backoffBaseMs: 60_000,
  backoffMaxMs: 3_600_000,
  intervalMs: 1000,
  source: 'urn:gatehouse:test',
};

function verified(r: { headers: Record<string, unknown>; body: string }, nowSeconds: number) {
  return verifySignature({
    secret: SECRET,
    timestamp: r.headers[TIMESTAMP_HEADER] as string,
    signature: r.headers[SIGNATURE_HEADER] as string,
    body: r.body,
    nowSeconds,
  });
}

for (const engine of await engines()) {
  describe(`notifications on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let receiver: Receiver;
    let managerToken: string;
    // The dispatcher runs on the server's own store with a clock the test holds.
    let nowMs = Date.now();
    let app: App;
    const run = async () => {
      await dispatchNotifications(app, { source: SETTINGS.source });
      return deliverNotifications(app, SETTINGS);
    };
    const subscribe = (name: string, body: Record<string, unknown> = {}, token?: string) =>
      server.call('POST', '/notifications/subscriptions', {
        token,
        body: { name, url: `${receiver.url}/${name}`, secret: SECRET, ...body },
      });
    const deliveriesOf = async (subscription: string, status?: string) =>
      (
        await server.call(
          'GET',
          `/notifications/deliveries?subscription=${subscription}${status ? `&status=${status}` : ''}`,
        )
      ).body.items as any[];

    before(async () => {
      server = await startTestServer(engine);
      receiver = await startReceiver();
      app = { store: server.running.app.store, clock: () => new Date(nowMs) };
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      await server.call('POST', '/users', { body: { name: 'rita', roles: ['release-manager'] } });
      managerToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'rita' } }))
        .body.token;
    });
    after(async () => {
      await receiver?.close();
      await server?.close();
    });

    test('only an admin subscribes; the secret is never shown, not even in the audit log', async () => {
      const refused = await subscribe('ce', {}, managerToken);
      assert.equal(refused.status, 403);
      assert.match(refused.body.detail, /rita may not manage outbound webhook.*admin/);
      assert.equal(
        (await server.call('GET', '/notifications/subscriptions', { token: managerToken })).status,
        403,
      );

      const created = await subscribe('ce', { eventTypes: ['dev.gatehouse.release.*'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.format, 'cloudevents');
      assert.deepEqual(created.body.eventTypes, ['dev.gatehouse.release.*']);
      assert.equal(created.body.createdBy, 'admin');
      const slack = await subscribe('slack', {
        format: 'slack',
        eventTypes: ['dev.gatehouse.release.transitioned'],
      });
      assert.equal(slack.status, 201);
      const list = await server.call('GET', '/notifications/subscriptions');
      assert.deepEqual(
        list.body.map((s: any) => s.name),
        ['ce', 'slack'],
      );
      const audit = await server.call('GET', '/audit?subjectType=notification-subscription');
      assert.equal(audit.body.items.length, 2);
      for (const text of [created, slack, list, audit].map((r) => JSON.stringify(r.body)))
        assert.ok(!text.includes(SECRET), 'the secret leaked');
    });

    test('bad subscriptions are refused, naming the field', async () => {
      const cases: Array<[Record<string, unknown>, number, RegExp]> = [
        [{ secret: 'short' }, 400, /\/secret/],
        [{ url: 'ftp://example.org/hook' }, 400, /\/url/],
        [{ url: 'not a url' }, 400, /\/url/],
        [{ url: 'http://user:pw@127.0.0.1/x' }, 400, /credentials/],
        [{ format: 'xml' }, 400, /format/],
        [{ eventTypes: [''] }, 400, /eventTypes/],
        [{ extra: 1 }, 400, /extra|additional/],
      ];
      for (const [body, status, pattern] of cases) {
        const answer = await subscribe('bad', body);
        assert.equal(answer.status, status, JSON.stringify(body));
        assert.match(JSON.stringify(answer.body), pattern);
      }
      const duplicate = await subscribe('ce');
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.code, 'subscription-exists');
      const list = await server.call('GET', '/notifications/subscriptions');
      assert.equal(list.body.length, 2, 'nothing half-written');
    });

    test('state changes go out signed: CloudEvents to one, Slack messages to the other', async () => {
      const release = await server.call('POST', '/releases', { body: releaseBody() });
      assert.equal(release.status, 201);
      const key = release.body.key as string;
      const moved = await server.call('POST', `/releases/${key}/transitions`, {
        body: { to: 'prepare', reason: 'scope agreed' },
      });
      assert.equal(moved.status, 200);
      const result = await run();
      assert.deepEqual(result, { attempted: 3, succeeded: 3, retrying: 0, failed: 0 });

      const audit = (await server.call('GET', `/audit?subjectId=${key}`)).body.items as any[];
      const nowSeconds = Math.floor(nowMs / 1000);
      const ce = receiver.on('/ce');
      assert.equal(ce.length, 2);
      for (const request of ce) {
        assert.ok(verified(request as any, nowSeconds), 'signature verifies');
        assert.equal(
          verified({ ...request, body: request.body.replace(key, 'REL-0') } as any, nowSeconds),
          false,
        );
        assert.match(String(request.headers['content-type']), /application\/cloudevents\+json/);
      }
      // Deliveries go out in parallel, so arrival order is not promised: receivers order by id.
      const events = ce
        .map((r) => HTTP.toEvent({ headers: r.headers, body: r.body }) as any)
        .sort((a, b) => Number(a.id) - Number(b.id));
      for (const event of events) assert.equal(event.validate(), true);
      assert.deepEqual(
        events.map((e) => e.type),
        ['dev.gatehouse.release.created', 'dev.gatehouse.release.transitioned'],
      );
      const transitioned = events[1];
      const entry = audit.find((a) => a.action === 'release.transitioned');
      assert.equal(transitioned.id, String(entry.seq), 'the event id is the audit entry');
      assert.equal(transitioned.source, 'urn:gatehouse:test');
      assert.equal(transitioned.subject, key);
      assert.equal(transitioned.time, entry.at);
      assert.equal(
        transitioned.data.summary,
        `${key} moved from plan to prepare by admin: scope agreed`,
      );

      const slack = receiver.on('/slack');
      assert.equal(slack.length, 1);
      assert.ok(verified(slack[0] as any, nowSeconds));
      const message = JSON.parse(slack[0]!.body);
      assert.equal(message.text, `${key} moved from plan to prepare by admin: scope agreed`);
      assert.equal(message.blocks[0].type, 'section');

      // Running again sends nothing twice.
      assert.deepEqual(await run(), { attempted: 0, succeeded: 0, retrying: 0, failed: 0 });
      assert.equal(receiver.received.length, 3);
      const log = await deliveriesOf('ce', 'succeeded');
      assert.equal(log.length, 2);
      assert.equal(log[0].attemptLog[0].statusCode, 200);
    });

    test('a failing receiver (500, then a timeout) is retried with growing waits, then served', async () => {
      assert.equal(
        (await subscribe('flaky', { eventTypes: ['dev.gatehouse.release.created'] })).status,
        201,
      );
      receiver.answer('/flaky', 500, 'hang', 204);
      const release = await server.call('POST', '/releases', { body: releaseBody() });
      const key = release.body.key as string;

      const first = await run();
      assert.equal(first.retrying, 1);
      let [delivery] = await deliveriesOf('flaky', 'pending');
      assert.equal(delivery.subject, key);
      assert.equal(delivery.attempts, 1);
      assert.equal(delivery.lastStatusCode, 500);
      assert.match(delivery.lastError, /HTTP 500/);
      const wait1 = delivery.attemptLog[0].retryAfterMs as number;
      assert.ok(wait1 >= 30_000 && wait1 <= 60_000, `first wait ${wait1}`);
      assert.equal(Date.parse(delivery.nextAttemptAt), nowMs + wait1);

      // Not due yet: nothing is sent.
      nowMs += wait1 - 1;
      await run();
      assert.equal(receiver.on('/flaky').length, 1);

      nowMs += 1;
      await run();
      [delivery] = await deliveriesOf('flaky', 'pending');
      assert.equal(delivery.attempts, 2);
      assert.equal(delivery.lastStatusCode, null);
      assert.match(delivery.attemptLog[1].error, /timed out after 400 ms/);
      const wait2 = delivery.attemptLog[1].retryAfterMs as number;
      assert.ok(wait2 >= 60_000 && wait2 <= 120_000, `second wait ${wait2}`);
      assert.ok(wait2 >= wait1);

      nowMs += wait2;
      await run();
      const [done] = await deliveriesOf('flaky', 'succeeded');
      assert.equal(done.id, delivery.id);
      assert.deepEqual(
        done.attemptLog.map((a: any) => [a.statusCode, a.outcome]),
        [
          [500, 'retrying'],
          [null, 'retrying'],
          [204, 'succeeded'],
        ],
      );
      assert.ok(done.deliveredAt);
      // The receiver saw the same event, signed afresh, each time.
      const seen = receiver.on('/flaky');
      assert.equal(seen.length, 3);
      assert.equal(new Set(seen.map((r) => JSON.parse(r.body).id)).size, 1);
      assert.equal(new Set(seen.map((r) => r.headers['x-gatehouse-delivery'])).size, 1);
    });

    test('after the last attempt a delivery is failed, listed as such, and can be redelivered', async () => {
      assert.equal(
        (await subscribe('down', { eventTypes: ['dev.gatehouse.release.created'] })).status,
        201,
      );
      receiver.answer('/down', 503);
      await server.call('POST', '/releases', { body: releaseBody() });
      for (let i = 0; i < SETTINGS.maxAttempts; i++) {
        await run();
        nowMs += 10 * 3_600_000;
      }
      const failed = await deliveriesOf('down', 'failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0].attempts, 3);
      assert.equal(failed[0].nextAttemptAt, null);
      assert.deepEqual(
        failed[0].attemptLog.map((a: any) => [a.statusCode, a.outcome]),
        [
          [503, 'retrying'],
          [503, 'retrying'],
          [503, 'failed'],
        ],
      );
      const all = (await server.call('GET', '/notifications/deliveries?status=failed')).body;
      assert.ok(all.items.some((d: any) => d.id === failed[0].id));
      await run();
      assert.equal(receiver.on('/down').length, 3, 'a failed delivery is not retried by itself');

      const path = `/notifications/deliveries/${failed[0].id}/redeliver`;
      assert.equal(
        (await server.call('POST', path, { token: managerToken, body: {} })).status,
        403,
      );
      const queued = await server.call('POST', path, { body: { reason: 'receiver fixed' } });
      assert.equal(queued.status, 202);
      assert.equal(queued.body.status, 'pending');
      const again = await server.call('POST', path, { body: {} });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'delivery-pending');
      assert.equal(
        (
          await server.call('POST', '/notifications/deliveries/no-such-delivery/redeliver', {
            body: {},
          })
        ).status,
        404,
      );

      receiver.answer('/down', 200);
      await run();
      const [served] = await deliveriesOf('down', 'succeeded');
      assert.equal(served.attempts, 4);
      const audit = await server.call(
        'GET',
        `/audit?subjectType=notification-delivery&subjectId=${failed[0].id}`,
      );
      assert.equal(audit.body.items[0].action, 'notification.redelivery-requested');
      assert.equal(audit.body.items[0].actor, 'admin');
      assert.equal(audit.body.items[0].after.reason, 'receiver fixed');
    });

    test('a removed subscription gets nothing more and its log goes with it', async () => {
      assert.equal(
        (await server.call('DELETE', '/notifications/subscriptions/down', { token: managerToken }))
          .status,
        403,
      );
      assert.equal((await server.call('DELETE', '/notifications/subscriptions/down')).status, 204);
      assert.equal((await server.call('DELETE', '/notifications/subscriptions/down')).status, 404);
      const before = receiver.on('/down').length;
      await server.call('POST', '/releases', { body: releaseBody() });
      await run();
      assert.equal(receiver.on('/down').length, before);
      assert.deepEqual(await deliveriesOf('down'), []);
      const bad = await server.call('GET', '/notifications/deliveries?status=lost');
      assert.equal(bad.status, 400);
    });
  });
}
