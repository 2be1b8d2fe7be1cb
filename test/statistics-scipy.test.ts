/**
 * Mann-Whitney U statistics and p-values agree with SciPy's `mannwhitneyu` to 1e-6 on
 * generated cases, many with ties. SciPy (Debian's python3-scipy) is run as a process;
 * under CI it is installed when missing, elsewhere its absence skips the suite LOUDLY.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  mannWhitneyU,
  type Alternative,
  type MannWhitneyMethod,
} from '../src/domain/statistics/mann-whitney.js';
import { seededRandom } from './support/seeded-random.js';

/** The first Python that imports SciPy: PATH's, else Debian's own (where apt installs it). */
function pythonWithScipy(): string | null {
  for (const python of ['python3', '/usr/bin/python3'])
    if (spawnSync(python, ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0) return python;
  return null;
}

function ensureScipy(): string | null {
  const found = pythonWithScipy();
  if (found || process.env.CI !== 'true') return found;
  spawnSync('apt-get', ['install', '-y', 'python3-scipy'], { stdio: 'inherit' });
  if (pythonWithScipy()) return pythonWithScipy();
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  spawnSync('apt-get', ['install', '-y', 'python3-scipy'], { stdio: 'inherit' });
  return pythonWithScipy();
}

interface Case {
  x: number[];
  y: number[];
  alternative: Alternative;
  method: MannWhitneyMethod;
  continuity: boolean;
}

function generateCases(count: number): Case[] {
  const random = seededRandom(20261123);
  const alternatives: Alternative[] = ['two-sided', 'less', 'greater'];
  const cases: Case[] = [];
  for (let i = 0; i < count; i += 1) {
    // A third have coarse values (many ties), a third fine values, a third small samples.
    const kind = i % 3;
    const n1 = kind === 2 ? random.int(1, 8) : random.int(1, 60);
    const n2 = kind === 2 ? random.int(1, 12) : random.int(1, 60);
    const shift = random.normal();
    const draw = (offset: number) =>
      kind === 0
        ? Math.round(random.normal() * 2 + offset)
        : Math.round((random.normal() + offset) * 1e6) / 1e6;
    const x = Array.from({ length: n1 }, () => draw(0));
    const y = Array.from({ length: n2 }, () => draw(shift));
    cases.push({
      x,
      y,
      alternative: alternatives[i % 3 === 0 ? random.int(0, 2) : (i >> 1) % 3]!,
      // 'auto' picks the exact distribution for small samples without ties.
      method: random.next() < 0.5 ? 'auto' : 'asymptotic',
      continuity: random.next() < 0.75,
    });
  }
  return cases;
}

const SCIPY = `
import json, sys
from scipy.stats import mannwhitneyu
out = []
for c in json.load(sys.stdin):
    r = mannwhitneyu(c['x'], c['y'], use_continuity=c['continuity'],
                     alternative=c['alternative'], method=c['method'])
    out.append([float(r.statistic), float(r.pvalue)])
json.dump(out, sys.stdout)
`;

const python = ensureScipy();
const available = python !== null;
if (!available)
  process.stderr.write(
    '\n!!! SciPy is NOT installed: the Mann-Whitney agreement suite is SKIPPED (apt-get install -y python3-scipy) !!!\n\n',
  );

describe('Mann-Whitney U agrees with SciPy', { skip: !available && 'SciPy missing' }, () => {
  const cases = generateCases(1500);

  test('1,500 generated cases, with and without ties, all alternatives', () => {
    const run = spawnSync(python!, ['-c', SCIPY], {
      input: JSON.stringify(cases),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    const expected = JSON.parse(run.stdout) as Array<[number, number]>;
    assert.equal(expected.length, cases.length);
    let withTies = 0;
    let exact = 0;
    cases.forEach((c, i) => {
      const ours = mannWhitneyU(c.x, c.y, c);
      if (ours.ties) withTies += 1;
      if (ours.method === 'exact') exact += 1;
      const [u, p] = expected[i]!;
      const where = `case ${i} ${JSON.stringify(c)}`;
      assert.ok(Math.abs(ours.u - u) <= 1e-6, `U ${ours.u} vs SciPy ${u} in ${where}`);
      assert.ok(Math.abs(ours.pValue - p) <= 1e-6, `p ${ours.pValue} vs SciPy ${p} in ${where}`);
    });
    // The generated set really exercises ties and the exact distribution.
    assert.ok(withTies >= 400, `only ${withTies} cases with ties`);
    assert.ok(exact >= 100, `only ${exact} exact cases`);
  });
});
