/**
 * PostgreSQL restarted under load: a `gatehouse serve` process keeps creating releases
 * and ingesting events while the PostgreSQL cluster is restarted with pg_ctlcluster.
 * Requests during the outage must fail cleanly (503 `store-unavailable` with
 * Retry-After, never a 500 or a dropped connection); the process must recover on its
 * own once PostgreSQL is back; every acknowledged record must be present, each with its
 * one audit entry, and `gatehouse audit verify` must pass.
 *
 * The restart disturbs everything else using that PostgreSQL, so it runs once in the
 * default suite and a few times in the soak run; it always waits until PostgreSQL
 * accepts connections again before returning.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/database.js';
import { POSTGRES_ADMIN_URL, type Scratch } from './engines.js';
import { runCli, startServerProcess } from './process.js';
import { releaseBody, TEST_CATALOG } from './server.js';

export interface RestartFigures {
  restarts: number;
  acknowledged: number;
  /** Answers 503 store-unavailable with Retry-After during the outages. */
  unavailable: number;
  /** Acknowledged releases missing afterwards (must be 0). */
  lost: number;
  /** Milliseconds from PostgreSQL accepting connections again to the next 2xx. */
  recoveryMs: number[];
}

/** The pg_ctlcluster version and name serving the test database, or why it cannot be restarted here. */
export function restartableCluster(): { version: string; name: string } | string {
  const url = new URL(POSTGRES_ADMIN_URL);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname))
    return `PostgreSQL at ${url.hostname} is not on this machine`;
  const port = url.port || '5432';
  let listing: string;
  try {
    listing = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  } catch (error) {
    return `pg_lsclusters is not available (${(error as Error).message.split('\n')[0]})`;
  }
  const line = listing
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((fields) => fields[2] === port && fields[3] === 'online');
  if (!line) return `no online pg_ctlcluster cluster listens on port ${port}`;
  // Restarting a cluster needs its owner or root.
  const uid = process.getuid?.();
  if (uid !== 0) {
    const owner = line[4];
    const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    if (me !== owner) return `restarting cluster ${line[0]}/${line[1]} needs root or ${owner}`;
  }
  return { version: line[0]!, name: line[1]! };
}

async function acceptsConnections(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const execFileAsync = promisify(execFile);

/** pg_ctlcluster stop or start; asynchronous, so the load keeps running meanwhile. */
async function pgCtlCluster(
  cluster: { version: string; name: string },
  action: 'stop' | 'start',
): Promise<void> {
  await execFileAsync(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', cluster.version, cluster.name, action],
    { timeout: 120_000 },
  );
}

/**
 * Restarts the cluster: stops it, lets the load meet the outage (until `outageSeen`
 * says it did, at most 10 s), starts it, and returns once it accepts connections again.
 */
async function restartPostgres(
  cluster: { version: string; name: string },
  outageSeen: () => boolean,
): Promise<void> {
  await pgCtlCluster(cluster, 'stop');
  try {
    const until = Date.now() + 10_000;
    while (!outageSeen() && Date.now() < until) await new Promise((done) => setTimeout(done, 50));
  } finally {
    await pgCtlCluster(cluster, 'start');
  }
  const deadline = Date.now() + 60_000;
  while (!(await acceptsConnections())) {
    if (Date.now() > deadline)
      throw new Error('PostgreSQL did not accept connections within 60 s of its restart');
    await new Promise((done) => setTimeout(done, 200));
  }
}

export async function runPostgresRestarts(
  scratch: Scratch,
  cluster: { version: string; name: string },
  restarts: number,
): Promise<RestartFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-restart-'));
  const server = await startServerProcess(['--data-dir', dir, '--database-url', scratch.url]);
  const figures: RestartFigures = {
    restarts: 0,
    acknowledged: 0,
    unavailable: 0,
    lost: 0,
    recoveryMs: [],
  };
  try {
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const send = async (method: string, path: string, body: unknown) => {
      const response = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as any,
      };
    };
    assert.equal((await send('POST', '/catalog/apply', TEST_CATALOG)).status, 200);

    const acknowledged: string[] = [];
    const wrong: string[] = [];
    let lastSuccess = 0;
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const i = n++;
        let answer: Awaited<ReturnType<typeof send>>;
        try {
          answer = await send(
            'POST',
            '/releases',
            releaseBody({ title: `through the restart ${i}` }),
          );
        } catch (error) {
          // Gatehouse itself stays up: a dropped connection is a failure too.
          wrong.push(`no answer: ${(error as Error).message}`);
          continue;
        }
        if (answer.status === 201) {
          acknowledged.push(answer.body.key);
          lastSuccess = Date.now();
        } else if (
          answer.status === 503 &&
          answer.body.code === 'store-unavailable' &&
          answer.headers.get('content-type')?.startsWith('application/problem+json') &&
          Number(answer.headers.get('retry-after')) > 0
        ) {
          figures.unavailable++;
          // A client honouring Retry-After would wait longer; a short pause keeps the load on.
          await new Promise((done) => setTimeout(done, 100));
        } else wrong.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    try {
      for (let r = 0; r < restarts; r++) {
        await new Promise((done) => setTimeout(done, 1000));
        const before = figures.unavailable;
        await restartPostgres(cluster, () => figures.unavailable > before);
        assert.ok(figures.unavailable > before, `restart ${r}: no request met the outage`);
        const back = Date.now();
        figures.restarts++;
        // The pool must recover on its own: a 2xx after PostgreSQL is back, without a restart of Gatehouse.
        const deadline = back + 30_000;
        while (lastSuccess < back && Date.now() < deadline)
          await new Promise((done) => setTimeout(done, 50));
        assert.ok(
          lastSuccess >= back,
          `restart ${r}: no request succeeded within 30 s of PostgreSQL accepting connections`,
        );
        figures.recoveryMs.push(lastSuccess - back);
      }
      await new Promise((done) => setTimeout(done, 500));
    } finally {
      stop = true;
      await Promise.allSettled(workers);
    }
    assert.deepEqual(
      wrong,
      [],
      'every answer was 201 or a 503 store-unavailable problem with Retry-After',
    );
    figures.acknowledged = acknowledged.length;

    const store = openStore(scratch.url);
    try {
      const keys = new Set(
        (await store.db.selectFrom('releases').select('key').execute()).map((r) => r.key),
      );
      figures.lost = acknowledged.filter((key) => !keys.has(key)).length;
      const created = (
        await store.db
          .selectFrom('audit_log')
          .select('subject_id')
          .where('action', '=', 'release.created')
          .execute()
      )
        .map((e) => e.subject_id)
        .sort();
      assert.deepEqual(
        created,
        [...keys].sort(),
        'every release has exactly one release.created entry, and no entry lacks its release',
      );
    } finally {
      await store.close();
    }
    const verify = await runCli(['audit', 'verify'], {
      GATEHOUSE_URL: server.url,
      GATEHOUSE_TOKEN: token,
    });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    return figures;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
