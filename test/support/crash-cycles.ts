/**
 * Crash cycles: a `gatehouse serve` process on one data directory and database is put
 * under concurrent write load (releases created and moved, approvals, CDEvents) and
 * killed with SIGKILL at a moment a seeded generator picks; then the store is checked
 * and the process started again on the same store. Every request answered 2xx must be
 * there afterwards, nothing may be half-written (each row with exactly one audit entry,
 * each audit entry with its row), and `gatehouse audit verify` must pass after every
 * restart. Shared by the short suite (test/crash-safety.test.ts) and the soak run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/database.js';
import type { Scratch } from './engines.js';
import { runCli, startServerProcess, type ServerProcess } from './process.js';
import { seededRandom, type SeededRandom } from './seeded-random.js';
import { releaseBody, TEST_CATALOG } from './server.js';

export interface CrashFigures {
  engine: string;
  cycles: number;
  /** Requests answered 2xx, each with what it should have created. */
  acknowledged: number;
  /** Requests sent but unanswered when the process died: allowed either way, never half. */
  inFlight: number;
  /** Acknowledged records missing afterwards (must be 0). */
  lost: number;
  /** `gatehouse audit verify` runs, each after a restart (all must exit 0). */
  verifications: number;
}

/** What an acknowledged answer promised exists. */
type Promised =
  | { kind: 'release'; key: string }
  | { kind: 'transition'; key: string; to: string }
  | { kind: 'approval'; key: string }
  | { kind: 'event'; id: string; deployment: string | null };

const PATH = ['prepare', 'test', 'approve'] as const;

interface World {
  url: string;
  admin: string;
  approver: string;
}

async function send(
  world: World,
  method: string,
  path: string,
  body: unknown,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(world.url + path, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? world.admin}`,
      'content-type': 'application/json',
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A CDEvent service.deployed in binary mode, with its own delivery id. */
function deployedEvent(
  id: string,
  artifact: string,
): { body: string; headers: Record<string, string> } {
  const cdevent = {
    context: {
      version: '0.2.0',
      id,
      source: '/crash-safety',
      type: 'dev.cdevents.service.deployed.0.1.1',
      timestamp: new Date().toISOString(),
    },
    subject: {
      id: 'payments-api',
      source: '/crash-safety',
      type: 'service',
      content: { environment: { id: 'sit' }, artifactId: artifact },
    },
  };
  return {
    body: JSON.stringify(cdevent),
    headers: {
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': '/crash-safety',
      'ce-type': cdevent.context.type,
    },
  };
}

/**
 * The releases the load works on, each held by one worker at a time so that two
 * workers never race on one release (a race is replicas.test.ts's subject, not this).
 */
class Pools {
  /** Acknowledged state of idle releases: index into PATH of the next move, or 3 = in Approve. */
  readonly idle = new Map<string, number>();
  readonly artifacts: string[] = [];

  take(rng: SeededRandom, want: (step: number) => boolean): [string, number] | undefined {
    const candidates = [...this.idle].filter(([, step]) => want(step));
    if (candidates.length === 0) return undefined;
    const picked = candidates[rng.int(0, candidates.length - 1)]!;
    this.idle.delete(picked[0]);
    return picked;
  }
}

async function loadUntilKilled(
  world: World,
  server: ServerProcess,
  rng: SeededRandom,
  cycle: number,
  pools: Pools,
  promised: Promised[],
): Promise<{ acknowledged: number; inFlight: number }> {
  let killed = false;
  let acknowledged = 0;
  let inFlight = 0;
  let sequence = 0;
  const unexpected: string[] = [];

  const once = async (worker: number) => {
    const roll = rng.next();
    const n = `${cycle}-${worker}-${sequence++}`;
    let expected: Promised | null = null;
    let giveBack: (() => void) | null = null;
    let request: () => Promise<{ status: number; body: any }>;
    // About 30 % creates, 25 % events, 15 % approvals, 30 % transitions.
    const moving = roll >= 0.7 ? pools.take(rng, (step) => step < PATH.length) : undefined;
    const approving = roll >= 0.55 && roll < 0.7 ? pools.take(rng, (s) => s === 3) : undefined;
    if (moving) {
      const [key, step] = moving;
      const to = PATH[step]!;
      request = () => send(world, 'POST', `/releases/${key}/transitions`, { to, reason: 'load' });
      expected = { kind: 'transition', key, to };
      giveBack = () => pools.idle.set(key, step + 1);
    } else if (approving) {
      const [key] = approving;
      request = () =>
        send(
          world,
          'POST',
          `/releases/${key}/approvals`,
          { stage: 'technical' },
          {
            token: world.approver,
          },
        );
      expected = { kind: 'approval', key };
    } else if (roll < 0.3 || pools.artifacts.length === 0) {
      const version = `1.${n.replace(/-/g, '.')}`;
      const artifact = `pkg:oci/payments-api@${version}`;
      request = () =>
        send(
          world,
          'POST',
          '/releases',
          releaseBody({
            title: `crash ${n}`,
            version,
            authors: ['andy'],
            services: [{ service: 'payments-api', version, artifact }],
          }),
        );
    } else {
      const artifact = pools.artifacts[rng.int(0, pools.artifacts.length - 1)]!;
      const event = deployedEvent(`crash-${n}`, artifact);
      request = () =>
        send(world, 'POST', '/events/cdevents', event.body, { headers: event.headers });
    }
    let answer: { status: number; body: any };
    try {
      answer = await request();
    } catch {
      // No answer: the process died with this request in flight. Its release (if it
      // held one) is in an unknown state now and leaves the pools.
      inFlight++;
      return;
    }
    if (answer.status < 200 || answer.status > 299) {
      unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      return;
    }
    acknowledged++;
    if (expected?.kind === 'transition') {
      promised.push(expected);
      giveBack!();
    } else if (expected?.kind === 'approval') {
      promised.push(expected);
    } else if (answer.body.key) {
      promised.push({ kind: 'release', key: answer.body.key });
      pools.idle.set(answer.body.key, 0);
      pools.artifacts.push(answer.body.services[0].artifact);
    } else {
      promised.push({ kind: 'event', id: answer.body.id, deployment: answer.body.deployment });
    }
  };

  const workers = Array.from({ length: 6 }, async (_, worker) => {
    while (!killed) await once(worker);
  });
  // The kill falls at a random moment after the load is under way (the first answer
  // of a cold process can take seconds on a busy machine).
  const warm = Date.now() + 30_000;
  while (acknowledged === 0 && Date.now() < warm) await new Promise((done) => setTimeout(done, 20));
  await new Promise((done) => setTimeout(done, rng.int(100, 1500)));
  killed = true;
  await server.stop('SIGKILL');
  await Promise.all(workers);
  assert.deepEqual(unexpected, [], 'every answer before the kill was 2xx');
  return { acknowledged, inFlight };
}

/** Every promise kept, and every row with exactly one audit entry (and no entry without its row). */
async function checkStore(store: Store, promised: Promised[]): Promise<number> {
  const tx = store.db;
  const audit = await tx
    .selectFrom('audit_log')
    .select(['action', 'subject_id'])
    .where('action', 'in', [
      'release.created',
      'release.transitioned',
      'approval.given',
      'event.received',
      'deployment.recorded',
    ])
    .execute();
  const entries = (action: string) =>
    audit
      .filter((e) => e.action === action)
      .map((e) => e.subject_id)
      .sort();
  const releases = await tx.selectFrom('releases').select(['id', 'key']).execute();
  const keyOf = new Map(releases.map((r) => [r.id, r.key]));
  const keysOf = async (table: 'release_transitions' | 'approvals') =>
    (await tx.selectFrom(table).select('release_id').execute()).map((r) =>
      keyOf.get(r.release_id)!,
    );

  // Half-written state would show as a row without its entry or an entry without its row.
  assert.deepEqual(
    releases.map((r) => r.key).sort(),
    entries('release.created'),
    'releases ⇔ release.created',
  );
  assert.deepEqual(
    (await keysOf('release_transitions')).sort(),
    entries('release.transitioned'),
    'transitions ⇔ release.transitioned',
  );
  assert.deepEqual(
    (await keysOf('approvals')).sort(),
    entries('approval.given'),
    'approvals ⇔ approval.given',
  );
  const events = await tx.selectFrom('inbound_events').select('id').execute();
  assert.deepEqual(
    events.map((e) => e.id).sort(),
    entries('event.received'),
    'inbound events ⇔ event.received',
  );
  const deployments = await tx.selectFrom('deployments').select('id').execute();
  assert.deepEqual(
    deployments.map((d) => d.id).sort(),
    entries('deployment.recorded'),
    'deployments ⇔ deployment.recorded',
  );

  const transitions = await tx
    .selectFrom('release_transitions')
    .select(['release_id', 'to_state'])
    .execute();
  const transitioned = new Set(transitions.map((t) => `${keyOf.get(t.release_id)}>${t.to_state}`));
  const approved = new Set(await keysOf('approvals'));
  const eventIds = new Set(events.map((e) => e.id));
  const deploymentIds = new Set(deployments.map((d) => d.id));
  const keys = new Set(keyOf.values());
  let lost = 0;
  for (const p of promised) {
    const present =
      p.kind === 'release'
        ? keys.has(p.key)
        : p.kind === 'transition'
          ? transitioned.has(`${p.key}>${p.to}`)
          : p.kind === 'approval'
            ? approved.has(p.key)
            : eventIds.has(p.id) && (p.deployment === null || deploymentIds.has(p.deployment));
    if (!present) lost++;
  }
  return lost;
}

export async function runCrashCycles(
  engine: string,
  scratch: Scratch,
  options: { cycles: number; seed: number },
): Promise<CrashFigures> {
  const rng = seededRandom(options.seed);
  const dataDir = join(mkdtempSync(join(tmpdir(), 'gatehouse-crash-')), 'data');
  // No scheduler: its lease rows are not what is checked here, and starts are quicker.
  const start = () =>
    startServerProcess(
      ['--data-dir', dataDir, '--database-url', scratch.url, '--no-scheduler'],
      {},
      180_000,
    );
  const figures: CrashFigures = {
    engine,
    cycles: 0,
    acknowledged: 0,
    inFlight: 0,
    lost: 0,
    verifications: 0,
  };
  const promised: Promised[] = [];
  const pools = new Pools();
  let server = await start();
  try {
    const admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const world: World = { url: server.url, admin, approver: '' };
    assert.equal((await send(world, 'POST', '/catalog/apply', TEST_CATALOG)).status, 200);
    for (const [name, roles] of [
      ['andy', ['deployer']],
      ['carla', ['approver']],
    ] as const)
      assert.equal((await send(world, 'POST', '/users', { name, roles })).status, 201);
    world.approver = (
      await send(world, 'POST', '/tokens', { name: 'load', user: 'carla' })
    ).body.token;

    for (let cycle = 0; cycle < options.cycles; cycle++) {
      world.url = server.url;
      const { acknowledged, inFlight } = await loadUntilKilled(
        world,
        server,
        rng,
        cycle,
        pools,
        promised,
      );
      figures.cycles++;
      figures.acknowledged += acknowledged;
      figures.inFlight += inFlight;
      const store = openStore(scratch.url);
      try {
        figures.lost = await checkStore(store, promised);
      } finally {
        await store.close();
      }
      assert.equal(figures.lost, 0, `cycle ${cycle}: acknowledged records missing after SIGKILL`);
      // The chain is verified by the command an operator would run, straight on the
      // store, while the process starts again on it.
      const [restarted, verify] = await Promise.all([
        start(),
        runCli(['audit', 'verify', '--database-url', scratch.url]),
      ]);
      server = restarted;
      assert.equal(
        verify.code,
        0,
        `cycle ${cycle}: audit verify\n${verify.stdout}${verify.stderr}`,
      );
      figures.verifications++;
    }
    return figures;
  } finally {
    await server.stop('SIGKILL');
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  }
}
