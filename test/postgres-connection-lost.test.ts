/**
 * PostgreSQL ending the server's connections under load (a restart, a failover,
 * pg_terminate_backend) must fail the requests in flight, not the process: a client
 * checked out of the pool had no 'error' listener, and the unhandled event took
 * `gatehouse serve` down (found by the sustained-load bench, docs/reliability.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { runOpenLoop } from '../bench/load/generator.js';
import { prepareMix, verifyWrites } from '../bench/load/mix.js';
import { POSTGRES_ADMIN_URL, postgresEngine } from './support/engines.js';
import { startServerProcess } from './support/process.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const engine = await postgresEngine();

describe('PostgreSQL connections ended under load', { skip: engine.skip }, () => {
  test('the server survives, answers afterwards, and keeps every acknowledged write', async () => {
    const scratch = await engine.scratch();
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-lost-'));
    const server = await startServerProcess(['--data-dir', dir, '--database-url', scratch.url]);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      const setup = {
        url: server.url,
        adminToken: readFileSync(join(dir, 'admin-token'), 'utf8').trim(),
      };
      const mix = await prepareMix(setup);
      const load = runOpenLoop({
        baseUrl: server.url,
        rate: 40,
        durationMs: 6000,
        windowMs: 60_000,
        next: () => mix.next(),
        timeoutMs: 20_000,
      });
      const database = new URL(scratch.url).pathname.slice(1);
      let terminated = 0;
      for (let round = 0; round < 2; round++) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const { rows } = await admin.query(
          'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        );
        terminated += rows[0].n as number;
      }
      await load;
      assert.ok(terminated > 0, 'the server had connections to end');
      assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
      const after = await fetch(`${server.url}/releases?limit=5`, {
        headers: { authorization: `Bearer ${setup.adminToken}` },
      });
      assert.equal(after.status, 200);
      const writes = await verifyWrites(setup, mix);
      assert.ok(writes.releasesChecked > 0);
      assert.deepEqual(writes.lost, []);
    } finally {
      await admin.end();
      await server.stop();
      await scratch.drop();
    }
  });
});
