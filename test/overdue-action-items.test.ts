/**
 * Overdue review action items are announced through the scheduler and the notification
 * pipeline, end to end on both engines: the job runs on the leased scheduler with a held
 * clock, the event reaches a real local webhook receiver, signed; it goes out once per
 * item and due date however often the job runs, and again only after a new due date is
 * missed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HTTP } from 'cloudevents';
import type { App } from '../src/app/context.js';
import { JobScheduler } from '../src/app/scheduler/jobScheduler.js';
import {
  NOTIFICATION_JOB,
  OVERDUE_ACTION_ITEMS_JOB,
  registerStandardJobs,
} from '../src/app/scheduler/jobs.js';
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
  attemptTimeoutMs: 2000,
  maxAttempts: 3,
  backoffBaseMs: 60_000,
  backoffMaxMs: 3_600_000,
  intervalMs: 1000,
  source: 'urn:gatehouse:test',
};
const HOUR = 3_600_000;

for (const engine of await engines()) {
  describe(`overdue action items notified on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let receiver: Receiver;
    let scheduler: JobScheduler;
    let nowMs = Date.now();
    let review = '';
    let release = '';

    async function ok(method: string, path: string, body?: unknown) {
      const response = await server.call(method, path, { body });
      assert.ok(response.status < 300, `${method} ${path}: ${JSON.stringify(response.body)}`);
      return response.body;
    }
    const overdueEvents = () =>
      receiver
        .on('/ce')
        .map((r) => HTTP.toEvent({ headers: r.headers, body: r.body }) as any)
        .filter((e) => e.type === 'dev.gatehouse.review.action-item.overdue');

    before(async () => {
      server = await startTestServer(engine);
      receiver = await startReceiver();
      const app: App = { store: server.running.app.store, clock: () => new Date(nowMs) };
      scheduler = new JobScheduler(app);
      registerStandardJobs(scheduler, { notifications: SETTINGS });
      await ok('POST', '/catalog/apply', TEST_CATALOG);
      await ok('POST', '/users', {
        name: 'dan',
        displayName: 'Daniel Okafor',
        roles: ['deployer'],
      });
      await ok('POST', '/notifications/subscriptions', {
        name: 'ce',
        url: `${receiver.url}/ce`,
        secret: SECRET,
        eventTypes: ['dev.gatehouse.review.*'],
      });
      // A rolled-back major release: policy opens a review for it.
      const raised = await ok(
        'POST',
        '/releases',
        releaseBody({ classification: 'major', services: [{ service: 'auth', version: '3.1.0' }] }),
      );
      release = raised.key;
      for (const to of ['prepare', 'test', 'approve', 'deploy'])
        await ok('POST', `/releases/${release}/transitions`, { to });
      await ok('POST', `/releases/${release}/deployments`, {
        service: 'auth',
        environment: 'prod',
        region: 'eu-west',
        status: 'succeeded',
        startedAt: new Date(nowMs - 2 * HOUR).toISOString(),
        finishedAt: new Date(nowMs - HOUR).toISOString(),
        historyImport: 'review-trigger fixture',
      });
      await ok('POST', `/releases/${release}/transitions`, {
        to: 'rolled-back',
        reason: 'logins failed in one region',
      });
      review = (await ok('GET', `/reviews/${release}`)).key;
    });
    after(async () => {
      await scheduler?.stop();
      await receiver?.close();
      await server?.close();
    });

    test('an item becoming overdue is announced once, signed, to subscribers', async () => {
      const item = await ok('POST', `/reviews/${review}/action-items`, {
        title: 'Move signing keys to the secrets manager',
        owner: 'dan',
        successCriteria: 'no key material in config repositories',
        dueAt: new Date(nowMs + HOUR).toISOString(),
      });
      const notOverdue = await ok('POST', `/reviews/${review}/action-items`, {
        title: 'Already done',
        dueAt: new Date(nowMs + HOUR).toISOString(),
      });
      await ok('PATCH', `/action-items/${notOverdue.id}`, { status: 'done' });

      // Before its due date nothing is announced.
      assert.equal(await scheduler.runOnce(OVERDUE_ACTION_ITEMS_JOB), true);
      assert.equal(await scheduler.runOnce(NOTIFICATION_JOB), true);
      assert.equal(overdueEvents().length, 0);

      nowMs += 2 * HOUR;
      for (let i = 0; i < 3; i++)
        assert.equal(await scheduler.runOnce(OVERDUE_ACTION_ITEMS_JOB), true);
      assert.equal(await scheduler.runOnce(NOTIFICATION_JOB), true);
      assert.equal(await scheduler.runOnce(NOTIFICATION_JOB), true);
      const events = overdueEvents();
      assert.equal(events.length, 1, 'once, however often the job runs');
      const [event] = events;
      assert.equal(event.validate(), true);
      assert.equal(event.subject, release);
      assert.equal(event.data.subjectId, item.id);
      assert.equal(event.data.after.dueAt, item.dueAt);
      assert.equal(event.data.after.review, review);
      assert.equal(
        event.data.summary,
        `Action item "Move signing keys to the secrets manager" from ${review} is overdue (due ${item.dueAt}); owner dan`,
      );
      const request = receiver
        .on('/ce')
        .find((r) => r.body.includes('review.action-item.overdue'))!;
      assert.ok(
        verifySignature({
          secret: SECRET,
          timestamp: request.headers[TIMESTAMP_HEADER] as string,
          signature: request.headers[SIGNATURE_HEADER] as string,
          body: request.body,
          nowSeconds: Math.floor(nowMs / 1000),
        }),
        'signature verifies',
      );
      const audit = (await ok('GET', `/audit?subjectId=${item.id}`)).items as any[];
      const entries = audit.filter((a) => a.action === 'review.action-item.overdue');
      assert.equal(entries.length, 1);
      assert.equal(entries[0].actor, 'system');
      assert.equal(String(entries[0].seq), event.id, 'the event is the audit entry');
    });

    test('a new due date that is missed again is announced again; done items never', async () => {
      const [first] = overdueEvents();
      const itemId = first.data.subjectId as string;
      const newDue = new Date(nowMs + HOUR).toISOString();
      await ok('PATCH', `/action-items/${itemId}`, { dueAt: newDue });
      const late = await ok('POST', `/reviews/${review}/action-items`, {
        title: 'Alert on key rotation drift',
        dueAt: new Date(nowMs + HOUR).toISOString(),
      });
      await ok('PATCH', `/action-items/${late.id}`, { status: 'dropped' });

      nowMs += 2 * HOUR;
      await scheduler.runOnce(OVERDUE_ACTION_ITEMS_JOB);
      await scheduler.runOnce(OVERDUE_ACTION_ITEMS_JOB);
      await scheduler.runOnce(NOTIFICATION_JOB);
      const events = overdueEvents();
      assert.equal(events.length, 2);
      assert.deepEqual(
        events.map((e) => `${e.data.subjectId}|${e.data.after.dueAt}`).sort(),
        [`${itemId}|${first.data.after.dueAt}`, `${itemId}|${newDue}`].sort(),
      );
      assert.ok(!events.some((e) => e.data.subjectId === late.id), 'a dropped item is not chased');
    });

    test('a backlog larger than one transaction takes is announced in one run, each item once', async () => {
      const backlog: Array<{ id: string; title: string }> = [];
      for (let i = 0; i < 12; i++)
        backlog.push(
          await ok('POST', `/reviews/${review}/action-items`, {
            title: `Backlog item ${i}`,
            dueAt: new Date(nowMs + HOUR).toISOString(),
          }),
        );
      nowMs += 2 * HOUR;
      assert.equal(await scheduler.runOnce(OVERDUE_ACTION_ITEMS_JOB), true);
      const announced = async () => {
        let count = 0;
        for (const item of backlog) {
          const audit = (await ok('GET', `/audit?subjectId=${item.id}`)).items as any[];
          const entries = audit.filter((a) => a.action === 'review.action-item.overdue');
          assert.ok(entries.length <= 1, `${item.title} announced ${entries.length} times`);
          count += entries.length;
        }
        return count;
      };
      assert.equal(await announced(), backlog.length, 'every item in the first run');
      assert.equal(await scheduler.runOnce(OVERDUE_ACTION_ITEMS_JOB), true);
      assert.equal(await announced(), backlog.length, 'and none again in the next');
    });
  });
}
