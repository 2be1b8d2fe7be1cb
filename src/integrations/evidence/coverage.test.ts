import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCobertura } from './cobertura.js';
import { fixture, fixtureStream } from './fixtures.js';
import { parseLcov } from './lcov.js';

describe('lcov', () => {
  test("node --test's lcov reporter on this project (real output), streamed", async () => {
    const facts = await parseLcov(fixtureStream('node-test.lcov'));
    const text = fixture('node-test.lcov').toString();
    const sum = (tag: string) =>
      [...text.matchAll(new RegExp(`^${tag}:(\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(facts.lines.total, sum('LF'));
    assert.equal(facts.lines.covered, sum('LH'));
    assert.equal(facts.branches.total, sum('BRF'));
    assert.equal(facts.files, (text.match(/^SF:/gm) ?? []).length);
    assert.ok(facts.lines.percent! > 50 && facts.lines.percent! <= 100);
  });

  test('totals are counted from DA/BRDA when LF/LH are missing', async () => {
    const facts = await parseLcov(
      'TN:\nSF:a.js\nDA:1,1\nDA:2,0\nDA:3,4\nBRDA:1,0,0,1\nBRDA:1,0,1,-\nend_of_record\n',
    );
    assert.deepEqual(facts.lines, { covered: 2, total: 3, percent: 66.66 });
    assert.deepEqual(facts.branches, { covered: 1, total: 2, percent: 50 });
  });

  test('a truncated tracefile and a non-lcov file are refused', async () => {
    await assert.rejects(parseLcov('SF:a.js\nDA:1,1\n'), /truncated/);
    await assert.rejects(parseLcov('<coverage/>'), /line 1 is not lcov/);
    await assert.rejects(
      parseLcov('SF:a.js\nLF:2\nLH:3\nend_of_record\n'),
      /covers more than it has/,
    );
  });
});

describe('Cobertura', () => {
  test("c8's Cobertura reporter (real output, with its DOCTYPE): root totals are used", async () => {
    const facts = await parseCobertura(fixtureStream('cobertura.xml'));
    assert.deepEqual(facts.lines, { covered: 511, total: 518, percent: 98.64 });
    assert.deepEqual(facts.branches, { covered: 76, total: 86, percent: 88.37 });
    assert.ok(facts.files > 0);
  });

  test('without totals, class lines are counted and method lines are not double-counted', async () => {
    const xml = `<?xml version="1.0"?>
<coverage line-rate="0.5" branch-rate="0.5" version="1.9" timestamp="1">
  <packages><package name="p"><classes><class name="A" filename="a.py" line-rate="0.5">
    <methods><method name="f" signature=""><lines><line number="1" hits="1"/></lines></method></methods>
    <lines>
      <line number="1" hits="1"/>
      <line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/>
    </lines>
  </class></classes></package></packages>
</coverage>`;
    const facts = await parseCobertura(xml);
    assert.deepEqual(facts.lines, { covered: 1, total: 2, percent: 50 });
    assert.deepEqual(facts.branches, { covered: 1, total: 2, percent: 50 });
    assert.equal(facts.files, 1);
  });

  test('a JUnit file declared as Cobertura is refused', async () => {
    await assert.rejects(
      parseCobertura(fixture('pytest.junit.xml')),
      /expected a Cobertura report/,
    );
  });
});
