/**
 * The gate as a CI pipeline uses it: the built `gatehouse` CLI as a separate process
 * against a server process, uploading the reports the build wrote and letting the exit
 * code of `gate check` decide whether the deploy job runs. The steps mirror the GitHub
 * Actions and GitLab CI examples in docs/pipelines.md.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { TEST_CATALOG } from './support/server.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/evidence/', import.meta.url));

describe('gate in a pipeline (CLI as a process)', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  let release: string;
  const cli = (args: string[]) => runCli(args, env);

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-pipeline-'));
    writeFileSync(join(dir, 'catalog.yaml'), stringify(TEST_CATALOG));
    assert.equal((await cli(['catalog', 'apply', '-f', join(dir, 'catalog.yaml')])).code, 0);
    const created = await cli([
      'release',
      'create',
      '--title',
      'Payments API 2.5',
      '--version',
      '2.5.0',
      '--classification',
      'minor',
      '--service',
      'payments-api@2.5.0',
      '--rollback-plan',
      'Redeploy 2.4.0',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    release = JSON.parse(created.stdout).key;
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('failing tests and a critical CVE: gate check exits 1 and prints why', async () => {
    const tests = await cli([
      'evidence',
      'add',
      release,
      '--type',
      'junit',
      '--name',
      'unit.xml',
      join(FIXTURES, 'surefire.junit.xml'),
    ]);
    assert.equal(tests.code, 0, tests.stderr);
    assert.match(tests.stdout, /5 tests: 2 passed, 1 failed, 1 errors, 1 skipped/);
    assert.equal(
      (
        await cli([
          'evidence',
          'add',
          release,
          '--type',
          'trivy',
          '--name',
          'scan.json',
          join(FIXTURES, 'trivy.json'),
        ])
      ).code,
      0,
    );
    const check = await cli(['gate', 'check', release, '--env', 'sit']);
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stdout, new RegExp(`^${release} → sit: FAIL`));
    assert.match(
      check.stdout,
      /✗ FAIL +Test pass rate: 2 of 4 tests passed \(50 %\), 1 skipped, below the 95 % required/,
    );
    assert.match(
      check.stdout,
      /2 critical CVEs: .*CVE-2019-10744 in lodash 4\.17\.20, fixed in 4\.17\.21/,
    );
  });

  test('after fixing and re-uploading under the same names, gate check exits 0; --json is the same verdict as data', async () => {
    assert.equal(
      (
        await cli([
          'evidence',
          'add',
          release,
          '--type',
          'junit',
          '--name',
          'unit.xml',
          join(FIXTURES, 'node-test.junit.xml'),
        ])
      ).code,
      0,
    );
    writeFileSync(join(dir, 'clean.json'), '{"SchemaVersion":2,"ArtifactName":".","Results":[]}');
    assert.equal(
      (
        await cli([
          'evidence',
          'add',
          release,
          '--type',
          'trivy',
          '--name',
          'scan.json',
          join(dir, 'clean.json'),
        ])
      ).code,
      0,
    );
    const check = await cli(['gate', 'check', release, '--env', 'sit', '--json']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const verdict = JSON.parse(check.stdout);
    assert.equal(verdict.verdict, 'pass');
    assert.equal(verdict.release, release);
    assert.ok(verdict.rules.every((r: { result: string }) => r.result !== 'fail'));
    const list = await cli(['evidence', 'list', release, '--json']);
    assert.equal(JSON.parse(list.stdout).length, 4);
  });

  test('production is refused until pre-prod is verified', async () => {
    const check = await cli(['gate', 'check', release, '--env', 'prod']);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /pre-prod is not verified: payments-api was never deployed there/);
  });

  test('bad input exits 2: unknown type, missing file, wrong format, unknown release', async () => {
    const type = await cli([
      'evidence',
      'add',
      release,
      '--type',
      'spdx',
      join(FIXTURES, 'trivy.json'),
    ]);
    assert.equal(type.code, 2);
    assert.match(type.stderr, /must be one of junit, lcov/);
    const missing = await cli([
      'evidence',
      'add',
      release,
      '--type',
      'junit',
      join(dir, 'nope.xml'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.xml: ENOENT/);
    const wrong = await cli([
      'evidence',
      'add',
      release,
      '--type',
      'junit',
      join(FIXTURES, 'grype.json'),
    ]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /not well-formed XML/);
    const unknown = await cli(['gate', 'check', 'REL-999', '--env', 'sit']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /release 'REL-999' does not exist/);
  });

  test('a waiver and a policy change, from the CLI', async () => {
    writeFileSync(
      join(dir, 'bad-policy.yaml'),
      'apiVersion: gatehouse/v1\nkind: PolicySet\nname: x\npolicies: []\n',
    );
    const bad = await cli(['policy', 'apply', '-f', join(dir, 'bad-policy.yaml')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /\/policies .*minItems/);
    const applied = await cli([
      'policy',
      'apply',
      '-f',
      fileURLToPath(new URL('../policies/default.yaml', import.meta.url)),
    ]);
    assert.equal(applied.code, 0);
    assert.match(applied.stdout, /unchanged at version 1/);
    // The admin raised the release, so the admin may not waive its rules.
    const self = await cli([
      'waiver',
      'grant',
      release,
      '--rule',
      'prior-environment-verified',
      '--justification',
      'x',
      '--expires',
      new Date(Date.now() + 86_400_000).toISOString(),
    ]);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /may not waive/);
  });
});
