/**
 * The `gatehouse` CLI as a process against a server process, exactly as a pipeline
 * calls it: exit codes 0 ok, 1 refused, 2 bad usage or input, 3 unreachable.
 */
import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { TEST_CATALOG } from './support/server.js';

describe('gatehouse CLI', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-cli-'));
    writeFileSync(join(dir, 'catalog.yaml'), stringify(TEST_CATALOG));
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('first start prints the address and the admin token, kept in a 0600 file', () => {
    assert.match(server.output(), /admin token: gth_/);
    const mode = statSync(join(dir, 'data', 'admin-token')).mode & 0o777;
    assert.equal(mode, 0o600);
  });

  test('every command has help', async () => {
    for (const args of [
      [],
      ['serve'],
      ['migrate'],
      ['catalog', 'apply'],
      ['release', 'create'],
      ['release', 'list'],
      ['release', 'show'],
      ['release', 'advance'],
      ['token', 'create'],
      ['audit', 'verify'],
    ]) {
      const result = await runCli([...args, '--help']);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Usage: gatehouse/, args.join(' '));
    }
  });

  test('catalog apply loads the file, then reports nothing changed', async () => {
    const first = await runCli(['catalog', 'apply', '-f', join(dir, 'catalog.yaml')], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created 9, updated 0, unchanged 0/);
    const again = await runCli(
      ['catalog', 'apply', '-f', join(dir, 'catalog.yaml'), '--json'],
      env,
    );
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.stdout).summary, { created: 0, updated: 0, unchanged: 9 });
  });

  test('malformed YAML and a cyclic catalog: exit 2 naming the problem', async () => {
    writeFileSync(join(dir, 'broken.yaml'), 'teams:\n  - name: a\n   displayName: [\n');
    const broken = await runCli(['catalog', 'apply', '-f', join(dir, 'broken.yaml')], env);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /not valid YAML at line \d+, column \d+/);
    const cyclic = structuredClone(TEST_CATALOG) as any;
    cyclic.services[0].dependsOn = ['ledger'];
    writeFileSync(join(dir, 'cyclic.yaml'), stringify(cyclic));
    const refused = await runCli(['catalog', 'apply', '-f', join(dir, 'cyclic.yaml')], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cycle: auth → ledger → auth/);
    const missing = await runCli(['catalog', 'apply', '-f', join(dir, 'nope.yaml')], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.yaml: ENOENT/);
  });

  test('a release goes from create to a refused advance (exit 1 with each check) to passing', async () => {
    const created = await runCli(
      [
        'release',
        'create',
        '--title',
        'Ledger 5',
        '--version',
        '5.0.0',
        '--classification',
        'minor',
        '--service',
        'ledger@5.0.0',
        '--json',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const release = JSON.parse(created.stdout);
    const refused = await runCli(['release', 'advance', release.key], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /✗ justification-present: no business justification is written/);
    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 3_600_000).toISOString();
    const complete = await runCli(
      [
        'release',
        'create',
        '--title',
        'Ledger 5.1',
        '--version',
        '5.1.0',
        '--classification',
        'minor',
        '--service',
        'ledger@5.1.0',
        '--justification',
        'faster settlement',
        '--rollback-plan',
        'redeploy 5.0.0',
        '--feature',
        'batch settlement',
        '--window-start',
        start,
        '--window-end',
        end,
        '--json',
      ],
      env,
    );
    const key = JSON.parse(complete.stdout).key;
    for (const stage of ['Prepare', 'Test', 'Approve', 'Deploy']) {
      const moved = await runCli(['release', 'advance', key], env);
      assert.equal(moved.code, 0, moved.stderr);
      assert.match(moved.stdout, new RegExp(`moved to ${stage}`));
    }
    const shown = await runCli(['release', 'show', key, '--json'], env);
    assert.equal(JSON.parse(shown.stdout).state, 'deploy');
    const listed = await runCli(['release', 'list', '--state', 'deploy'], env);
    assert.match(listed.stdout, new RegExp(key));
    const noReason = await runCli(['release', 'advance', key, '--to', 'failed'], env);
    assert.equal(noReason.code, 1);
    assert.match(noReason.stderr, /reason-given/);
  });

  test('the examples shipped in the repository are accepted as they are', async () => {
    const examples = new URL('../examples/', import.meta.url).pathname;
    const catalog = await runCli(
      ['catalog', 'apply', '-f', join(examples, 'catalog.yaml'), '--json'],
      env,
    );
    assert.equal(catalog.code, 0, catalog.stderr);
    assert.equal(JSON.parse(catalog.stdout).dryRun, false);
    const release = await runCli(
      ['release', 'create', '-f', join(examples, 'release.yaml'), '--json'],
      env,
    );
    assert.equal(release.code, 0, release.stderr);
    assert.equal(JSON.parse(release.stdout).plannedWindow.start, '2026-12-01T08:00:00.000Z');
  });

  test('bad usage exits 2', async () => {
    assert.equal((await runCli(['release', 'create', '--title', 'x'], env)).code, 2);
    assert.equal(
      (
        await runCli(
          ['release', 'create', '--title', 'x', '--version', '1', '--classification', 'huge'],
          env,
        )
      ).code,
      2,
    );
    assert.equal((await runCli(['release', 'create', '--service', 'no-version'], env)).code, 2);
    assert.equal((await runCli(['release', 'list', '--limit', 'many'], env)).code, 2);
    assert.equal((await runCli(['release', 'show', 'REL-424242'], env)).code, 2);
    assert.equal((await runCli(['frobnicate'], env)).code, 2);
    const unauthenticated = await runCli(['release', 'list'], { ...env, GATEHOUSE_TOKEN: '' });
    assert.equal(unauthenticated.code, 2);
    assert.match(unauthenticated.stderr, /set GATEHOUSE_TOKEN/);
  });

  test('an unreachable server exits 3', async () => {
    const result = await runCli(['release', 'list'], {
      ...env,
      GATEHOUSE_URL: 'http://127.0.0.1:9',
    });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /cannot reach Gatehouse/);
  });

  test('token create prints a token that works', async () => {
    const created = await runCli(['token', 'create', '--name', 'ci'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^gth_/);
    const listed = await runCli(['release', 'list', '--json'], { ...env, GATEHOUSE_TOKEN: token });
    assert.equal(listed.code, 0);
  });

  test('audit verify passes, through the server and offline; migrate is idempotent', async () => {
    const online = await runCli(['audit', 'verify'], env);
    assert.equal(online.code, 0, online.stderr);
    assert.match(online.stdout, /audit chain intact: \d+ entries/);
    const offline = await runCli(['audit', 'verify', '--database-url', scratch.url, '--json'], env);
    assert.equal(offline.code, 0);
    assert.equal(JSON.parse(offline.stdout).intact, true);
    const migrated = await runCli(['migrate', '--database-url', scratch.url], env);
    assert.equal(migrated.code, 0);
    assert.match(migrated.stdout, /up to date/);
  });

  test('audit verify exits 1 naming the first altered entry after tampering', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(scratch.url.slice('sqlite:'.length));
    db.exec('drop trigger audit_log_no_update');
    db.prepare(
      "update audit_log set after = replace(after, 'Ledger', 'Ledgr') where seq = (select min(seq) from audit_log where action = 'release.created')",
    ).run();
    const seq = (
      db
        .prepare("select min(seq) as seq from audit_log where action = 'release.created'")
        .get() as { seq: number }
    ).seq;
    db.close();
    const result = await runCli(['audit', 'verify', '--database-url', scratch.url]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`entry ${seq} was altered`));
    const online = await runCli(['audit', 'verify'], env);
    assert.equal(online.code, 1);
  });
});
