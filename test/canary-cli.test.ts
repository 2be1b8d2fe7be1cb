/**
 * `gatehouse canary judge` as a process on files, offline (no server): exit 0 promote,
 * 1 roll back, 2 bad input, 4 hold (marginal or inconclusive).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from './support/process.js';
import { seededRandom } from './support/seeded-random.js';

const CONFIG = `
confidence: 0.98
metrics:
  - name: latency_ms
    direction: increase
    critical: true
  - name: error_rate
    direction: increase
    allowedIncrease: 0.1
`;

describe('gatehouse canary judge (offline)', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const random = seededRandom(42);
  /** Wide CSV: a timestamp column and one column per metric. */
  const wide = (n: number, latency: number) =>
    'timestamp,latency_ms,error_rate\n' +
    Array.from(
      { length: n },
      (_, i) =>
        `2026-11-23T08:${String(i % 60).padStart(2, '0')}:00Z,${(latency + 15 * random.normal()).toFixed(2)},${(2 + 0.3 * random.normal()).toFixed(3)}`,
    ).join('\n') +
    '\n';

  let config: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-canary-'));
    config = file('canary.yaml', CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const judge = (baseline: string, canary: string, ...more: string[]) =>
    runCli([
      'canary',
      'judge',
      '--config',
      config,
      '--baseline',
      baseline,
      '--canary',
      canary,
      ...more,
    ]);

  test('a healthy canary: exit 0, promote, every metric explained', async () => {
    const result = await judge(
      file('b1.csv', wide(60, 200)),
      file('c1.csv', wide(60, 200)),
      '--json',
    );
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const verdict = JSON.parse(result.stdout);
    assert.equal(verdict.outcome, 'pass');
    assert.equal(verdict.decision, 'promote');
    assert.deepEqual(
      verdict.metrics.map((m: any) => m.metric),
      ['latency_ms', 'error_rate'],
    );
    assert.ok(verdict.metrics.every((m: any) => typeof m.reason === 'string' && m.reason));
  });

  test('a latency regression: exit 1, roll back, the table names the metric', async () => {
    const result = await judge(file('b2.csv', wide(60, 200)), file('c2.csv', wide(60, 260)));
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.match(
      result.stdout,
      /^FAIL → roll-back \(fixed judge, score 0\): critical metric failed: latency_ms/,
    );
    assert.match(result.stdout, /latency_ms\s+high/);
  });

  test('the sequential judge stops early on a regression and holds on too short a healthy run', async () => {
    const failing = await judge(
      file('b3.csv', wide(30, 200)),
      file('c3.csv', wide(30, 260)),
      '--judge',
      'sequential',
      '--json',
    );
    assert.equal(failing.code, 1, failing.stderr + failing.stdout);
    assert.equal(JSON.parse(failing.stdout).judge, 'sequential');
    const early = await judge(
      file('b4.csv', wide(20, 200)),
      file('c4.csv', wide(20, 200)),
      '--judge',
      'sequential',
      '--json',
    );
    assert.equal(early.code, 4, early.stderr + early.stdout);
    assert.equal(JSON.parse(early.stdout).outcome, 'inconclusive');
  });

  test('no canary data: exit 4, inconclusive, never a pass', async () => {
    const result = await judge(
      file('b5.csv', wide(60, 200)),
      file('c5.csv', 'metric,value\n'),
      '--json',
    );
    assert.equal(result.code, 4, result.stderr + result.stdout);
    const verdict = JSON.parse(result.stdout);
    assert.equal(verdict.outcome, 'inconclusive');
    assert.ok(verdict.metrics.every((m: any) => m.outcome === 'no-data'));
  });

  test('long-format CSV with NaN cells is read, the NaN counted', async () => {
    const long =
      'metric,value\n' +
      Array.from(
        { length: 40 },
        (_, i) => `latency_ms,${i === 3 ? 'NaN' : 200 + (i % 7)}\nerror_rate,${2 + (i % 3) / 10}`,
      ).join('\n');
    const result = await judge(file('b6.csv', long), file('c6.csv', long), '--json');
    assert.equal(result.code, 0, result.stderr);
    const latency = JSON.parse(result.stdout).metrics[0];
    assert.deepEqual([latency.baseline.count, latency.baseline.missing], [39, 1]);
  });

  test('bad input exits 2 and names the field', async () => {
    const badValue = await judge(
      file('b7.csv', 'latency_ms,error_rate\n200,abc\n'),
      file('c7.csv', wide(10, 200)),
    );
    assert.equal(badValue.code, 2);
    assert.match(badValue.stderr, /b7\.csv line 2, column error_rate: 'abc' is not a number/);

    const badConfig = file('bad.yaml', 'metrics:\n  - name: x\n    direction: sideways\n');
    const result = await runCli([
      'canary',
      'judge',
      '--config',
      badConfig,
      '--baseline',
      'x',
      '--canary',
      'y',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\/metrics\/0\/direction/);

    const missing = await judge(join(dir, 'nope.csv'), join(dir, 'nope.csv'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.csv: ENOENT/);

    const badJudge = await judge(join(dir, 'b1.csv'), join(dir, 'c1.csv'), '--judge', 'bayes');
    assert.equal(badJudge.code, 2);
  });
});
