/**
 * `gatehouse incident …` and `gatehouse metrics dora` as processes against a server
 * process: what they print, and their exit codes (0 ok, 1 refused, 2 bad input).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess, adminCall } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

// One anchor, so differences between these instants are exact.
const NOW = Date.now();
const minutesAgo = (n: number) => new Date(NOW - n * 60_000).toISOString();

describe('gatehouse incident and metrics commands', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  let deploymentId: string;

  const api = (method: string, path: string, body?: unknown) => adminCall(env, method, path, body);

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-incident-cli-'));
    await api('POST', '/catalog/apply', TEST_CATALOG);
    const release = await api('POST', '/releases', releaseBody());
    const deployment = await api('POST', `/releases/${release.key}/deployments`, {
      service: 'payments-api',
      environment: 'prod',
      region: 'eu-west',
      status: 'succeeded',
      startedAt: minutesAgo(90),
      finishedAt: minutesAgo(80),
      historyImport: 'past deployment the test builds on',
    });
    deploymentId = deployment.id;
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every new command has help', async () => {
    for (const args of [
      ['incident', 'create'],
      ['incident', 'list'],
      ['incident', 'show'],
      ['incident', 'link'],
      ['metrics', 'dora'],
    ]) {
      const result = await runCli([...args, '--help']);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Usage: gatehouse/);
    }
  });

  test('create, suggest, link, show and list an incident', async () => {
    const created = await runCli(
      [
        'incident',
        'create',
        '--title',
        'Card payments declined',
        '--severity',
        '1',
        '--service',
        'payments-api',
        '--started',
        minutesAgo(60),
        '--detected',
        minutesAgo(48),
        '--resolved',
        minutesAgo(15),
        '--json',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const incident = JSON.parse(created.stdout);
    assert.equal(incident.timeToDetectMs, 12 * 60_000);
    assert.equal(incident.timeToRestoreMs, 45 * 60_000);

    const shown = await runCli(['incident', 'show', incident.key, '--suggest'], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /time to detect 12 min/);
    assert.match(shown.stdout, /time to restore 45 min/);
    assert.match(
      shown.stdout,
      new RegExp(
        `\\[${deploymentId}\\] payments-api 2\\.4\\.0 \\(the incident's service\\) finished 20 min before`,
      ),
    );

    const linked = await runCli(
      ['incident', 'link', incident.key, deploymentId, '--reason', 'new card router'],
      env,
    );
    assert.equal(linked.code, 0, linked.stderr);
    assert.match(linked.stdout, new RegExp(`linked ${deploymentId} to ${incident.key}`));
    assert.match(linked.stdout, /new card router/);

    const twice = await runCli(['incident', 'link', incident.key, deploymentId], env);
    assert.equal(twice.code, 1, 'linking twice is refused');

    const listed = await runCli(['incident', 'list', '--service', 'payments-api'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${incident.key}\\s+1\\s+payments-api`));
    assert.match(listed.stdout, /45 min/);
  });

  test('bad input exits 2 naming the field', async () => {
    const reversed = await runCli(
      [
        'incident',
        'create',
        '--title',
        'x',
        '--severity',
        '3',
        '--service',
        'auth',
        '--started',
        minutesAgo(10),
        '--resolved',
        minutesAgo(20),
      ],
      env,
    );
    assert.equal(reversed.code, 2);
    assert.match(reversed.stderr, /resolvedAt: an incident cannot be resolved/);
    const severity = await runCli(['incident', 'list', '--severity', '7'], env);
    assert.equal(severity.code, 2);
    assert.match(severity.stderr, /--severity must be 1/);
  });

  test('metrics dora prints the keys with their bands, and refuses bad ranges', async () => {
    const since = minutesAgo(7 * 24 * 60);
    const until = minutesAgo(-1);
    const table = await runCli(['metrics', 'dora', '--since', since, '--until', until], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /GROUP\s+DEPLOYS\/DAY\s+LEAD TIME\s+CHANGE FAIL/);
    // Which band one deployment earns depends on how the range falls on ISO weeks and
    // months (unit-tested with fixed dates); here: the columns and the band beside each.
    assert.match(
      table.stdout,
      /payments\s+0\.14 \((elite|high|medium|low)\)\s+0 s \(elite\)\s+100\.0% \(low\)\s+45 min \(elite\)/,
    );
    const json = await runCli(
      ['metrics', 'dora', '--since', since, '--until', until, '--by', 'service', '--json'],
      env,
    );
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.by, 'service');
    const api = report.groups.find((g: { group: string }) => g.group === 'payments-api');
    assert.equal(api.changeFailureRate.failed, 1, 'the linked deployment failed');
    assert.equal(api.changeFailureRate.rate, 1);
    assert.equal(api.timeToRestore.medianMs, 45 * 60_000);

    const reversed = await runCli(['metrics', 'dora', '--since', until, '--until', since], env);
    assert.equal(reversed.code, 2);
    assert.match(reversed.stderr, /\/querystring\/until: must be after since/);
    const unbounded = await runCli(['metrics', 'dora', '--since', since], env);
    assert.equal(unbounded.code, 2);
    assert.match(unbounded.stderr, /\/querystring\/until: is required/);
    const by = await runCli(
      ['metrics', 'dora', '--since', since, '--until', until, '--by', 'x'],
      env,
    );
    assert.equal(by.code, 2);
  });
});
