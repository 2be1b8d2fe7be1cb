/**
 * Three `gatehouse serve` replicas on one PostgreSQL database, called round-robin (the
 * client rotates the base URL per request, as a load balancer would). The same approval,
 * the same transition and the same event delivery fired at all three at once give the
 * outcome one replica gives for the same script on a fresh database; scheduled sweeps
 * (approval escalations, hypercare checks) run with short intervals on all three and
 * record their work exactly once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../src/store/database.js';
import { postgresEngine, type Scratch } from './support/engines.js';
import { startServerProcess, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

const pgEngine = await postgresEngine();

/** Sweeps every half second: each replica tries for the lease on every tick. */
const SCHEDULER_ENV = {
  GATEHOUSE_ESCALATION_INTERVAL_MS: '500',
  GATEHOUSE_HYPERCARE_INTERVAL_MS: '500',
};

interface Cluster {
  scratch: Scratch;
  dir: string;
  replicas: ServerProcess[];
  admin: string;
  approver: string;
}

async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function startCluster(count: number): Promise<Cluster> {
  const scratch = await pgEngine.scratch();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-three-'));
  const names = Array.from({ length: count }, (_, i) => `r${i}`);
  // One after another: replicas starting together is replicas.test.ts's subject, and
  // three cold starts at once can take minutes on a small shared machine.
  const replicas: ServerProcess[] = [];
  for (const name of names)
    replicas.push(
      await startServerProcess(
        ['--data-dir', join(dir, name), '--database-url', scratch.url],
        SCHEDULER_ENV,
        180_000,
      ),
    );
  const admin = names
    .map((name) => {
      try {
        return readFileSync(join(dir, name, 'admin-token'), 'utf8').trim();
      } catch {
        return '';
      }
    })
    .filter(Boolean);
  assert.equal(admin.length, 1, 'exactly one replica bootstrapped the admin');
  const url = replicas[0]!.url;
  assert.equal((await call(url, admin[0]!, 'POST', '/catalog/apply', TEST_CATALOG)).status, 200);
  for (const [name, roles] of [
    ['andy', ['deployer']],
    ['carla', ['approver']],
  ] as const)
    assert.equal((await call(url, admin[0]!, 'POST', '/users', { name, roles })).status, 201);
  const approver = (await call(url, admin[0]!, 'POST', '/tokens', { name: 't', user: 'carla' }))
    .body.token as string;
  return { scratch, dir, replicas, admin: admin[0]!, approver };
}

async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (!cluster) return;
  await Promise.all(cluster.replicas.map((r) => r.stop()));
  await cluster.scratch.drop();
  rmSync(cluster.dir, { recursive: true, force: true });
}

function cdevent(id: string, artifact: string, environment: string) {
  return {
    body: JSON.stringify({
      context: {
        version: '0.2.0',
        id,
        source: '/three-replicas',
        type: 'dev.cdevents.service.deployed.0.1.1',
        timestamp: new Date().toISOString(),
      },
      subject: {
        id: 'payments-api',
        source: '/three-replicas',
        type: 'service',
        content: { environment: { id: environment }, artifactId: artifact },
      },
    }),
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': '/three-replicas',
      'ce-type': 'dev.cdevents.service.deployed.0.1.1',
    },
  };
}

/**
 * The script: rounds of the same approval, transition and delivery fired three times at
 * once. With one replica every copy goes to it; with three, one copy to each. Returns
 * what a person would compare: the answers (statuses, outcomes) and the final records.
 */
async function runScript(cluster: Cluster, rounds: number) {
  let turn = 0;
  const next = () => cluster.replicas[turn++ % cluster.replicas.length]!.url;
  const admin = (method: string, path: string, body?: unknown) =>
    call(next(), cluster.admin, method, path, body);
  // One copy per replica (or three copies at the one replica), all at once.
  const fan = <T>(send: (url: string) => Promise<T>) =>
    Promise.all([0, 1, 2].map(() => send(next())));

  const answers: Record<string, unknown[]> = { approvals: [], transitions: [], deliveries: [] };
  const keys: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const version = `3.${round}.0`;
    const artifact = `pkg:oci/payments-api@${version}`;
    const created = await admin(
      'POST',
      '/releases',
      releaseBody({
        title: `round ${round}`,
        version,
        authors: ['andy'],
        services: [{ service: 'payments-api', version, artifact }],
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const key = created.body.key as string;
    keys.push(key);

    // (2) The same transition at once: one wins, the others are refused with 409.
    const moved = await fan((url) =>
      call(url, cluster.admin, 'POST', `/releases/${key}/transitions`, { to: 'prepare' }),
    );
    answers.transitions!.push(moved.map((a) => a.status).sort());
    for (const to of ['test', 'approve'])
      assert.equal((await admin('POST', `/releases/${key}/transitions`, { to })).status, 200);

    // (1) The same approval decision at once: one recorded, the others 409.
    const approved = await fan((url) =>
      call(url, cluster.approver, 'POST', `/releases/${key}/approvals`, { stage: 'technical' }),
    );
    answers.approvals!.push(approved.map((a) => a.status).sort());
    for (const loser of approved.filter((a) => a.status !== 201))
      assert.match(loser.body.code, /^(already-decided|already-approved|stage-complete)$/);

    // (3) The same delivery (same ce-id) at once: recorded once, the others duplicates.
    const event = cdevent(`delivery-${round}`, artifact, 'sit');
    const delivered = await fan((url) =>
      call(url, cluster.admin, 'POST', '/events/cdevents', event.body, event.headers),
    );
    answers.deliveries!.push(
      delivered.map((a) => `${a.status} ${a.body.outcome ?? a.body.code}`).sort(),
    );
  }

  // The records, read back through the API without ids or times.
  const records = [];
  for (const key of keys) {
    const release = (await admin('GET', `/releases/${key}`)).body;
    const transitions = (await admin('GET', `/releases/${key}/transitions`)).body as any[];
    const approvals = (await admin('GET', `/releases/${key}/approvals`)).body;
    const deployments = (await admin('GET', `/releases/${key}/deployments`)).body as any[];
    records.push({
      state: release.state,
      transitions: transitions.map((t) => `${t.from}>${t.to}`),
      technical: approvals.stages
        .filter((s: any) => s.stage === 'technical')
        .map((s: any) => `${s.state} ${s.given}`),
      deployments: deployments.map((d) => `${d.service} ${d.environment} ${d.status}`),
    });
  }
  const store = openStore(cluster.scratch.url);
  try {
    const audit = await store.db
      .selectFrom('audit_log')
      .select(['action', (eb) => eb.fn.countAll<number>().as('n')])
      .where('action', 'in', [
        'release.created',
        'release.transitioned',
        'approval.given',
        'approval.refused',
        'event.received',
        'deployment.recorded',
      ])
      .groupBy('action')
      .orderBy('action')
      .execute();
    return {
      answers,
      records,
      audit: Object.fromEntries(audit.map((a) => [a.action, Number(a.n)])),
    };
  } finally {
    await store.close();
  }
}

describe('three replicas on one PostgreSQL, round-robin', { skip: pgEngine.skip }, () => {
  let three: Cluster | undefined;
  let one: Cluster | undefined;
  before(async () => {
    // One after the other: four processes starting at once on a small machine is slow.
    three = await startCluster(3);
    one = await startCluster(1);
  });
  after(async () => {
    await Promise.all([stopCluster(three), stopCluster(one)]);
  });

  test('racing approvals, transitions and redeliveries end as they do on one replica', async () => {
    const rounds = 4;
    const [onThree, onOne] = await Promise.all([
      runScript(three!, rounds),
      runScript(one!, rounds),
    ]);
    for (const answers of onThree.answers.transitions!) assert.deepEqual(answers, [200, 409, 409]);
    for (const answers of onThree.answers.approvals!) assert.deepEqual(answers, [201, 409, 409]);
    for (const answers of onThree.answers.deliveries!)
      assert.deepEqual(answers, ['200 duplicate', '200 duplicate', '200 recorded']);
    assert.deepEqual(onThree, onOne, 'three replicas give what one replica gives');
    assert.equal(onThree.audit['approval.given'], rounds);
    assert.equal(onThree.audit['event.received'], rounds);
  });

  test('escalations and hypercare checks run once across the three, not once per replica', async () => {
    const cluster = three!;
    const url = cluster.replicas[0]!.url;
    const admin = (method: string, path: string, body?: unknown, headers = {}) =>
      call(url, cluster.admin, method, path, body, headers);
    // An emergency release waiting in Approve: its final stage escalates at 30 min, 1 h, 2 h.
    const emergency = await admin(
      'POST',
      '/releases',
      releaseBody({ classification: 'emergency', title: 'Escalate me', authors: ['andy'] }),
    );
    assert.equal(emergency.status, 201, JSON.stringify(emergency.body));
    const key = emergency.body.key as string;
    for (const to of ['prepare', 'test', 'approve'])
      assert.equal((await admin('POST', `/releases/${key}/transitions`, { to })).status, 200);
    // The release whose deployment is watched (one recorded by the test above).
    let watchedRelease = '';
    // Time passes, as the test tells it: the stage opened three hours ago and the
    // watch's window has ended. The sweeps on the three replicas now find due work.
    const store = openStore(cluster.scratch.url);
    try {
      const release = await store.db
        .selectFrom('releases')
        .select('id')
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
      await store.db
        .updateTable('release_transitions')
        .set({ at: threeHoursAgo })
        .where('release_id', '=', release.id)
        .execute();
      await store.db
        .updateTable('releases')
        .set({ state_changed_at: threeHoursAgo })
        .where('id', '=', release.id)
        .execute();
      // A production deployment gated like the real thing needs evidence, approvals and
      // pre-prod first; what is tested here is the sweep, so the watch is written as the
      // deployment would have opened it, its stabilisation window already over.
      const deployment = await store.db
        .selectFrom('deployments')
        .innerJoin('releases', 'releases.id', 'deployments.release_id')
        .select(['deployments.id', 'deployments.release_id', 'releases.key'])
        .orderBy('deployments.created_at')
        .executeTakeFirstOrThrow();
      watchedRelease = deployment.key;
      await store.db
        .insertInto('hypercare_watches')
        .values({
          id: randomUUID(),
          deployment_id: deployment.id,
          release_id: deployment.release_id,
          service: 'payments-api',
          environment: 'sit',
          marker_at: new Date(Date.now() - 25 * 3600_000).toISOString(),
          ends_at: new Date(Date.now() - 3600_000).toISOString(),
          status: 'watching',
          findings: '{}',
          checked_at: null,
        })
        .execute();

      const counts = async () => {
        const rows = await store.db
          .selectFrom('audit_log')
          .select(['action', 'subject_id', 'after'])
          .where('action', 'in', ['approval.escalated', 'hypercare.closed'])
          .execute();
        return {
          escalations: rows
            .filter((r) => r.action === 'approval.escalated' && r.subject_id === key)
            .map((r) => `${JSON.parse(r.after!).stage}:L${JSON.parse(r.after!).level}`)
            .sort(),
          hypercare: rows
            .filter((r) => r.action === 'hypercare.closed' && r.subject_id === watchedRelease)
            .map((r) => r.subject_id),
        };
      };
      const deadline = Date.now() + 30_000;
      let seen = await counts();
      while ((seen.escalations.length < 3 || seen.hypercare.length < 1) && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 250));
        seen = await counts();
      }
      // Several more ticks on every replica: nothing is recorded a second time.
      await new Promise((done) => setTimeout(done, 2_500));
      seen = await counts();
      assert.deepEqual(seen.escalations, ['final:L1', 'final:L2', 'final:L3']);
      assert.deepEqual(seen.hypercare, [watchedRelease]);
      const escalationRows = await store.db
        .selectFrom('approval_escalations')
        .select('level')
        .where('release_id', '=', release.id)
        .execute();
      assert.equal(escalationRows.length, 3);
    } finally {
      await store.close();
    }
  });
});
