/**
 * `gatehouse retention | access-review | release-notes | downtime` as processes against
 * a server process: what they print and their exit codes (0 ok, 1 refused, 2 bad input).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess, adminCall } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

describe('gatehouse governance commands', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  let key: string;
  const api = (method: string, path: string, body?: unknown) => adminCall(env, method, path, body);
  const cli = (...args: string[]) => runCli(args, env);

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-governance-cli-'));
    await api('POST', '/catalog/apply', TEST_CATALOG);
    key = (
      await api(
        'POST',
        '/releases',
        releaseBody({
          services: [{ service: 'ledger', version: '3.0.0' }],
          scope: { features: ['Instant refunds (PAY-9)'], fixes: ['Timeouts on 10.0.0.7'] },
        }),
      )
    ).key;
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every command has help', async () => {
    for (const args of [
      ['retention', 'rules'],
      ['retention', 'purge'],
      ['retention', 'delete'],
      ['access-review', 'report'],
      ['access-review', 'revoke'],
      ['release-notes', 'generate'],
      ['release-notes', 'show'],
      ['downtime', 'notify'],
    ]) {
      const result = await cli(...args, '--help');
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Usage: gatehouse/);
    }
  });

  test('retention: rules, a refused deletion (exit 1), a dry run and an applied purge', async () => {
    const rules = await cli('retention', 'rules', '--json');
    assert.equal(rules.code, 0, rules.stderr);
    assert.equal(
      JSON.parse(rules.stdout).find((r: any) => r.recordType === 'approvals').retention,
      'P7Y',
    );
    const bad = await cli('retention', 'set', 'approvals', 'forever');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /retention.*not an ISO 8601 duration/);
    const neither = await cli('retention', 'purge');
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /exactly one of --dry-run and --apply/);

    const deployment = await api('POST', `/releases/${key}/deployments`, {
      service: 'ledger',
      environment: 'sit',
      status: 'succeeded',
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      finishedAt: new Date(Date.now() - 300_000).toISOString(),
      historyImport: 'cli test',
    });
    const refused = await cli('retention', 'delete', 'deployment-logs', deployment.id);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /under retention until \d{4}-/);

    const dry = await cli('retention', 'purge', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /deployment-logs \(kept P7Y\): would purge 0/);
    const applied = await cli('retention', 'purge', '--apply', '--json');
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(JSON.parse(applied.stdout).applied, true);
    const verify = await cli('audit', 'verify');
    assert.equal(verify.code, 0);
    assert.match(verify.stdout, /audit chain intact/);
  });

  test('access review: the report, then a revocation that stops the token', async () => {
    await api('POST', '/users', { name: 'pat', roles: ['deployer'] });
    const issued = await api('POST', '/tokens', { name: 'ci', user: 'pat' });
    const report = await cli('access-review', 'report', '--json');
    assert.equal(report.code, 0, report.stderr);
    assert.ok(JSON.parse(report.stdout).tokens.some((t: any) => t.id === issued.id));
    const table = await cli('access-review', 'report');
    assert.match(table.stdout, /pat\s+deployer/);
    const missing = await cli('access-review', 'revoke', '--user', 'pat', '--reason', 'x');
    assert.equal(missing.code, 2);
    const revoked = await cli(
      'access-review',
      'revoke',
      '--token-id',
      issued.id,
      '--reason',
      'left',
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked by admin/);
    const asPat = await runCli(['release', 'list'], { ...env, GATEHOUSE_TOKEN: issued.token });
    assert.notEqual(asPat.code, 0);
    assert.match(asPat.stderr, /revoked/);
  });

  test('release notes: generated, shown as Markdown, strippings listed; a past embargo is exit 2', async () => {
    const past = await cli(
      'release-notes',
      'generate',
      key,
      '--security-fix',
      '--embargo-until',
      '2020-01-01T00:00:00Z',
    );
    assert.equal(past.code, 2);
    assert.match(past.stderr, /embargoUntil/);
    const generated = await cli('release-notes', 'generate', key);
    assert.equal(generated.code, 0, generated.stderr);
    assert.match(generated.stdout, /- Instant refunds\n/);
    assert.match(generated.stdout, /'PAY-9' \(ticket-key\)/);
    const customer = await cli('release-notes', 'show', key);
    assert.equal(customer.code, 0);
    assert.ok(!customer.stdout.includes('10.0.0.7'));
    const internal = await cli('release-notes', 'show', key, '--audience', 'internal');
    assert.match(internal.stdout, /PAY-9/);
    const strippings = await cli('release-notes', 'strippings', key, '--json');
    assert.deepEqual(
      JSON.parse(strippings.stdout)
        .map((s: any) => s.match)
        .sort(),
      ['10.0.0.7', 'PAY-9'],
    );
  });

  test('downtime: set and notify, each team in its own zone', async () => {
    const start = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 5, 1, 1, 0)).toISOString();
    const end = new Date(Date.parse(start) + 3_600_000).toISOString();
    const bad = await cli(
      'downtime',
      'set',
      key,
      '--start',
      'tomorrow',
      '--end',
      end,
      '--description',
      'x',
    );
    assert.equal(bad.code, 2);
    const set = await cli(
      'downtime',
      'set',
      key,
      '--start',
      start,
      '--end',
      end,
      '--description',
      'Ledger upgrade',
    );
    assert.equal(set.code, 0, set.stderr);
    const sent = await cli('downtime', 'notify', key);
    assert.equal(sent.code, 0, sent.stderr);
    // ledger's dependents: payments-api (payments, Europe/Berlin, summer time).
    assert.match(sent.stdout, /payments \(payments-api\): .* 03:00–04:00 .*\(Europe\/Berlin\)/);
    const again = await cli('downtime', 'notify', key);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already went out|went out at/);
  });
});
