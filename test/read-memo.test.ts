/**
 * Remembered reads (ADR 2500-1) over HTTP, on both engines: a release read after another
 * connection commits shows the commit, and a gate verdict follows the clock across a
 * freeze's edges and a waiver's expiry with no write in between. PostgreSQL's change
 * mark is its snapshot of committed transactions (ADR 3200-1), SQLite's its data
 * version: a commit by another connection (another replica) must move either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { execute, SYSTEM_ACTOR } from '../src/app/context.js';
import { updateRelease } from '../src/app/releases/updateRelease.js';
import { openStore } from '../src/store/database.js';
import { engines } from './support/engines.js';
import { metricValue } from './support/metrics.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const MINUTE = 60_000;

for (const engine of await engines()) {
  describe(`remembered reads on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let key: string;
    before(async () => {
      server = await startTestServer(engine);
      await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
      const created = await server.call('POST', '/releases', {
        body: releaseBody({ services: [{ service: 'payments-api', version: '7.0.1' }] }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      key = created.body.key;
    });
    after(async () => server?.close());

    /** The release changed through another connection, as another replica would. */
    const updateElsewhere = async (
      revision: number,
      change: Parameters<typeof updateRelease>[3],
    ): Promise<void> => {
      const elsewhere = openStore(server.databaseUrl);
      try {
        await execute({ store: elsewhere, clock: () => new Date() }, SYSTEM_ACTOR, (ctx) =>
          updateRelease(ctx, key, revision, change),
        );
      } finally {
        await elsewhere.close();
      }
    };

    test('a release read after another connection commits shows the commit', async () => {
      const first = await server.call('GET', `/releases/${key}`);
      assert.equal((await server.call('GET', `/releases/${key}`)).body.title, first.body.title);
      await updateElsewhere(first.body.revision, { title: 'Renamed elsewhere' });
      const after = await server.call('GET', `/releases/${key}`);
      assert.equal(after.body.title, 'Renamed elsewhere');
      assert.equal(after.body.revision, first.body.revision + 1);
      assert.equal(after.headers.get('etag'), `"${first.body.revision + 1}"`);
      // And a change through this server, of course.
      const patched = await server.call('PATCH', `/releases/${key}`, {
        body: { title: 'Renamed here' },
        headers: { 'if-match': after.headers.get('etag')! },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal((await server.call('GET', `/releases/${key}`)).body.title, 'Renamed here');
    });

    test('a gate check asked again with nothing committed between is reused, as /metrics counts', async () => {
      const counted = async (outcome: string) => {
        const scraped = await server.call('GET', '/metrics');
        assert.equal(scraped.status, 200);
        const line = new RegExp(
          `^gatehouse_read_memo_answers_total\\{kind="gate-check",outcome="${outcome}"\\}`,
        );
        return metricValue(scraped.body as string, line) ?? 0;
      };
      const ask = async () => {
        const gate = await server.call('GET', `/releases/${key}/gates/prod`);
        assert.equal(gate.status, 200, JSON.stringify(gate.body));
      };
      // A commit forgets every answer. SQLite's mark moves only with this database, so
      // the first run of asks is reused; PostgreSQL's is the cluster's snapshot, which
      // other suites' commits move meanwhile, so it gets a few runs to find a quiet spell.
      const before = await counted('reused');
      let reused = 0;
      for (let run = 0; run < 20 && reused === 0; run++) {
        for (let i = 0; i < 5; i++) await ask();
        reused = (await counted('reused')) - before;
        if (engine.name === 'sqlite') assert.ok(reused >= 4, `SQLite reused ${reused} of 5`);
      }
      assert.ok(reused > 0, `${engine.name}: no gate check was reused in 100 asks`);
      // And a commit here makes the next one afresh.
      const made = await counted('made');
      const release = await server.call('GET', `/releases/${key}`);
      const patched = await server.call('PATCH', `/releases/${key}`, {
        body: { title: 'Renamed for the memo' },
        headers: { 'if-match': release.headers.get('etag')! },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      await ask();
      assert.ok((await counted('made')) > made, 'made afresh after the commit');
    });

    test('the change mark moves with a commit by another connection, and the gate check shows it', async () => {
      const store = server.running.app.store;
      const rollbackPlan = async () => {
        const gate = await server.call('GET', `/releases/${key}/gates/prod`);
        assert.equal(gate.status, 200, JSON.stringify(gate.body));
        return gate.body.rules.find((r: { rule: string }) => r.rule === 'rollback-plan').result;
      };
      assert.equal(await rollbackPlan(), 'pass');
      assert.equal(await rollbackPlan(), 'pass', 'asked again (remembered where the mark stood)');
      const before = await store.changeMark();
      assert.notEqual(before, null, `${engine.name} gives a change mark`);
      const release = await server.call('GET', `/releases/${key}`);
      await updateElsewhere(release.body.revision, { rollbackPlan: '' });
      assert.notEqual(await store.changeMark(), before, 'the other connection committed');
      assert.equal(await rollbackPlan(), 'fail', 'the next check sees the plan gone');
      const restored = await server.call('PATCH', `/releases/${key}`, {
        body: { rollbackPlan: 'Redeploy the previous version' },
        headers: { 'if-match': `"${release.body.revision + 1}"` },
      });
      assert.equal(restored.status, 200, JSON.stringify(restored.body));
      assert.equal(await rollbackPlan(), 'pass', 'and a change through this server, at once');
    });

    test('a gate verdict follows the clock across a freeze and a waiver expiry, with no write between', async () => {
      const app = server.running.app;
      const realClock = app.clock;
      // A freeze from a whole minute tomorrow, for ten minutes, for this service in prod.
      const start = Math.ceil((Date.now() + 86_400_000) / MINUTE) * MINUTE;
      const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
      const window = await server.call('POST', '/calendar/windows', {
        body: {
          name: 'memo-freeze',
          kind: 'freeze',
          timeZone: 'UTC',
          start: local(start),
          end: local(start + 10 * MINUTE),
          scope: { services: ['payments-api'] },
          environments: ['prod'],
          description: 'a freeze the clock walks into and out of',
        },
      });
      assert.equal(window.status, 201, JSON.stringify(window.body));
      const freezeAt = async (ms: number) => {
        app.clock = () => new Date(ms);
        const gate = await server.call('GET', `/releases/${key}/gates/prod`);
        assert.equal(gate.status, 200, JSON.stringify(gate.body));
        assert.equal(gate.body.checkedAt, new Date(ms).toISOString(), 'stamped when asked');
        return gate.body.rules.find((r: { rule: string }) => r.rule === 'freeze-window').result;
      };
      try {
        assert.equal(await freezeAt(start - 5 * MINUTE), 'pass');
        assert.equal(await freezeAt(start - 1), 'pass');
        assert.equal(await freezeAt(start), 'fail', 'the freeze starts');
        assert.equal(await freezeAt(start + 10 * MINUTE - 1), 'fail');
        assert.equal(await freezeAt(start + 10 * MINUTE), 'pass', 'the freeze ends');

        await server.call('POST', '/users', { body: { name: 'rita', roles: ['release-manager'] } });
        const rita = await server.call('POST', '/tokens', { body: { name: 't', user: 'rita' } });
        app.clock = () => new Date(start + MINUTE);
        const waiver = await server.call('POST', `/releases/${key}/waivers`, {
          token: rita.body.token,
          body: {
            rule: 'freeze-window',
            justification: 'the fix for the open incident',
            expiresAt: new Date(start + 5 * MINUTE).toISOString(),
          },
        });
        assert.equal(waiver.status, 201, JSON.stringify(waiver.body));
        assert.equal(await freezeAt(start + 2 * MINUTE), 'waived');
        assert.equal(await freezeAt(start + 5 * MINUTE - 1), 'waived');
        assert.equal(await freezeAt(start + 5 * MINUTE), 'fail', 'the waiver expires');
      } finally {
        app.clock = realClock;
      }
    });

    test('remembered answers beyond ASCII are sent whole: the same bytes, their length declared', async () => {
      /** Two raw reads, one after the other: each body as received, held to its declared length. */
      const twice = async (path: string) => {
        const bodies: Buffer[] = [];
        for (const _ of [1, 2]) {
          const response = await fetch(server.url + path, {
            headers: { authorization: `Bearer ${server.adminToken}` },
          });
          const bytes = Buffer.from(await response.arrayBuffer());
          assert.equal(response.status, 200, bytes.toString());
          assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
          assert.equal(Number(response.headers.get('content-length')), bytes.length);
          bodies.push(bytes);
        }
        assert.ok(bodies[1]!.equals(bodies[0]!), `${path}: the remembered answer, byte for byte`);
        return JSON.parse(bodies[0]!.toString('utf8'));
      };
      const title = 'Zahlungen – Größe 🚀';
      const release = await server.call('GET', `/releases/${key}`);
      const patched = await server.call('PATCH', `/releases/${key}`, {
        body: { title },
        headers: { 'if-match': release.headers.get('etag')! },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal((await twice(`/releases/${key}`)).title, title);

      // A waiver's justification shows in the verdict, ahead of the stamp put in each answer.
      const justification = 'Ausnahme für die Größe – genehmigt ✅';
      await server.call('POST', '/users', { body: { name: 'ute', roles: ['release-manager'] } });
      const ute = await server.call('POST', '/tokens', { body: { name: 't', user: 'ute' } });
      const waiver = await server.call('POST', `/releases/${key}/waivers`, {
        token: ute.body.token,
        body: {
          rule: 'tests-pass-rate',
          justification,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      assert.equal(waiver.status, 201, JSON.stringify(waiver.body));
      const app = server.running.app;
      const realClock = app.clock;
      try {
        let now = Date.now();
        app.clock = () => new Date(now);
        const gate = await twice(`/releases/${key}/gates/prod`);
        now += 1_000;
        const later = await twice(`/releases/${key}/gates/prod`);
        assert.equal(later.checkedAt, new Date(now).toISOString(), 'stamped when asked');
        assert.equal(gate.checkedAt, new Date(now - 1_000).toISOString());
        const waived = gate.rules.find((r: { rule: string }) => r.rule === 'tests-pass-rate');
        assert.equal(waived.result, 'waived', JSON.stringify(waived));
        assert.ok(JSON.stringify(gate).includes(justification), 'the justification, whole');
        assert.deepEqual({ ...later, checkedAt: '' }, { ...gate, checkedAt: '' });
      } finally {
        app.clock = realClock;
      }
    });
  });
}
