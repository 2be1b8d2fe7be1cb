/**
 * `gatehouse approve`, `gatehouse reject` and `gatehouse approvals` as processes against
 * a server process: what they print and their exit codes (0 ok, 1 refused, 2 bad input).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

describe('gatehouse approve, reject and approvals', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  const as: Record<string, Record<string, string>> = {};

  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(server.url + path, {
      method,
      headers: {
        authorization: `Bearer ${token ?? env.GATEHOUSE_TOKEN}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, any>;
    assert.ok(response.ok, JSON.stringify(json));
    return json;
  };
  const inApprove = async () => {
    const release = await api(
      'POST',
      '/releases',
      releaseBody({ authors: ['andy'] }),
      as.rita!.GATEHOUSE_TOKEN,
    );
    for (const to of ['prepare', 'test', 'approve'])
      await api('POST', `/releases/${release.key}/transitions`, { to });
    return release.key as string;
  };

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-approvals-cli-'));
    await api('POST', '/catalog/apply', TEST_CATALOG);
    for (const [name, roles] of [
      ['rita', ['release-manager']],
      ['andy', ['approver']],
      ['carla', ['approver']],
      ['erin', ['approver']],
    ] as const) {
      await api('POST', '/users', { name, roles });
      const { token } = await api('POST', '/tokens', { name: 't', user: name });
      as[name] = { ...env, GATEHOUSE_TOKEN: token as string };
    }
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every command has help', async () => {
    for (const command of ['approve', 'reject', 'approvals']) {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0, command);
      assert.match(result.stdout, /Usage: gatehouse/);
    }
  });

  test('approve: the author is refused (exit 1), another approver allowed (exit 0)', async () => {
    const key = await inApprove();
    const status = await runCli(['approvals', key], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`${key} \\(approve\\): approvals pending`));
    assert.match(status.stdout, /technical\s+open\s+0 of 1\s+carla, erin/);

    const byAuthor = await runCli(['approve', key, '--stage', 'technical'], as.andy);
    assert.equal(byAuthor.code, 1);
    assert.match(byAuthor.stderr, /andy authored a change/);
    const byRequester = await runCli(['approve', key, '--stage', 'technical'], as.rita);
    assert.equal(byRequester.code, 1);
    assert.match(byRequester.stderr, /rita requested/);

    const ok = await runCli(
      ['approve', key, '--stage', 'technical', '--comment', 'diff reviewed'],
      as.carla,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /approvals complete/);
    assert.match(ok.stdout, /technical\s+complete\s+1 of 1\s+carla/);

    const twice = await runCli(['approve', key, '--stage', 'technical', '--json'], as.carla);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already complete/);
    const json = await runCli(['approvals', key, '--json'], env);
    assert.equal(JSON.parse(json.stdout).stages[0].decisions[0].text, 'diff reviewed');
  });

  test('release create --author records the change authors the rules read', async () => {
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
        '--author',
        'andy',
        '--author',
        'erin',
        '--json',
      ],
      as.rita,
    );
    assert.equal(created.code, 0, created.stderr);
    const release = JSON.parse(created.stdout);
    assert.deepEqual(release.authors, ['andy', 'erin']);
    assert.match(release.contentHash, /^[0-9a-f]{64}$/);
  });

  test('reject: a reason is required (exit 2), an unknown stage is bad input, a reason rejects', async () => {
    const key = await inApprove();
    const noReason = await runCli(['reject', key, '--stage', 'technical'], as.erin);
    assert.equal(noReason.code, 2, 'commander refuses the missing --reason');
    const blank = await runCli(['reject', key, '--stage', 'technical', '--reason', ' '], as.erin);
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /a rejection must say why/);
    const unknown = await runCli(['approve', key, '--stage', 'security'], as.erin);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /not an approval stage/);
    const rejected = await runCli(
      ['reject', key, '--stage', 'technical', '--reason', 'no load test'],
      as.erin,
    );
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.match(rejected.stdout, /approvals rejected/);
    assert.match(rejected.stdout, /rejected by erin/);
    const gate = await runCli(['gate', 'check', key, '--env', 'prod'], env);
    assert.equal(gate.code, 1);
    assert.match(gate.stdout + gate.stderr, /rejected by erin: no load test/);
  });
});
