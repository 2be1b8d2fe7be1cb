/**
 * `gatehouse runbook …` as a process against a server process: writing a runbook from
 * YAML, marking steps with explicit instants, and reading durations back; exit codes 0
 * ok, 1 refused, 2 bad input.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

const YAML = `
preChecks:
  - title: Backup verified
steps:
  - title: Deploy payments-api
    owner: dana
  - title: Restore traffic
validation:
  - title: Smoke tests green
rollback:
  - title: Redeploy the previous version
contacts:
  - { name: Pat, role: incident commander, contact: pat@example.com }
`;

describe('gatehouse runbook commands', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-runbook-cli-'));
    const post = (path: string, body: unknown) =>
      fetch(server.url + path, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    assert.equal((await post('/catalog/apply', TEST_CATALOG)).status, 200);
    assert.equal((await post('/releases', releaseBody())).status, 201);
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every runbook command has help', async () => {
    for (const sub of ['set', 'show', 'start', 'complete', 'fail', 'skip']) {
      const result = await runCli(['runbook', sub, '--help']);
      assert.equal(result.code, 0, sub);
      assert.match(result.stdout, /Usage: gatehouse runbook/);
    }
  });

  test('set from YAML, mark steps with instants, show durations and the total', async () => {
    const file = join(dir, 'runbook.yaml');
    writeFileSync(file, YAML);
    const set = await runCli(['runbook', 'set', 'REL-1', '-f', file], env);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /\[ \] step-1\s+Deploy payments-api \(dana\)\s+pending/);
    assert.match(set.stdout, /Pat, incident commander: pat@example.com/);

    const marks: Array<[string, string, string]> = [
      ['start', 'pre-check-1', '2026-01-10T09:00:00Z'],
      ['complete', 'pre-check-1', '2026-01-10T09:02:00Z'],
      ['start', 'step-1', '2026-01-10T09:05:00Z'],
      ['complete', 'step-1', '2026-01-10T09:35:00Z'],
      ['skip', 'step-2', '2026-01-10T09:36:00Z'],
      ['complete', 'validation-1', '2026-01-10T09:40:00Z'],
    ];
    for (const [action, step, at] of marks) {
      const result = await runCli(['runbook', action, 'REL-1', step, '--at', at], env);
      assert.equal(result.code, 0, `${action} ${step}: ${result.stderr}`);
    }
    const show = await runCli(['runbook', 'show', 'REL-1'], env);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /\[✓\] step-1\s+Deploy payments-api \(dana\)\s+done\s+30 min/);
    assert.match(show.stdout, /\[-\] step-2/);
    assert.match(show.stdout, /total: 40 min, of which waiting between steps 8 min/);
    const json = JSON.parse((await runCli(['runbook', 'show', 'REL-1', '--json'], env)).stdout);
    assert.equal(json.timings.totalMs, 40 * 60_000);
    assert.equal(json.steps[0].durationMs, 30 * 60_000);
  });

  test('refusals: a finished step exits 1, bad files and instants exit 2', async () => {
    const again = await runCli(['runbook', 'start', 'REL-1', 'step-1'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /step-1 is already done/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'steps: [');
    const unreadable = await runCli(['runbook', 'set', 'REL-1', '-f', bad], env);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /not valid YAML/);
    const when = await runCli(['runbook', 'start', 'REL-1', 'rollback-1', '--at', 'soon'], env);
    assert.equal(when.code, 2);
    assert.match(when.stderr, /at/);
  });
});
