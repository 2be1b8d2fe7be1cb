/**
 * scripts/run-tests.mjs keeps suites under test/soak/ out of the default run and runs
 * only them with --soak. Checked through the selection it reports when nothing matches,
 * so no suite is actually run from here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['scripts/run-tests.mjs', ...args], { encoding: 'utf8' });

test('the default run leaves test/soak/ out', () => {
  const result = run('test/soak/');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^no test files match test\/soak\//);
});

test('--soak selects only test/soak/ files', () => {
  const outside = run('--soak', 'load-short');
  assert.equal(outside.status, 2, 'a default-suite file is not a soak file');
  assert.match(outside.stderr, /^no soak test files match load-short/);
});
