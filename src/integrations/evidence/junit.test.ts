import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixture, fixtureStream } from './fixtures.js';
import { parseJUnit } from './junit.js';

describe('JUnit XML, as each runner writes it', () => {
  test('Maven Surefire: a flaky failure that passed on rerun is a pass', async () => {
    const facts = await parseJUnit(fixture('surefire.junit.xml'));
    assert.deepEqual(
      {
        tests: facts.tests,
        passed: facts.passed,
        failed: facts.failed,
        errors: facts.errors,
        skipped: facts.skipped,
      },
      { tests: 5, passed: 2, failed: 1, errors: 1, skipped: 1 },
    );
    assert.deepEqual(facts.failures[0], {
      suite: 'com.example.payments.RefundServiceTest',
      name: 'roundsHalfEven',
      message: 'expected: <2.68> but was: <2.67>',
    });
    assert.equal(facts.failures[1]!.message, 'Connection refused');
  });

  test('pytest (real output): failure, setup error and skip', async () => {
    const facts = await parseJUnit(fixture('pytest.junit.xml'));
    assert.equal(facts.tests, 4);
    assert.equal(facts.passed, 1);
    assert.equal(facts.failed, 1);
    assert.equal(facts.errors, 1);
    assert.equal(facts.skipped, 1);
    assert.equal(facts.failures[0]!.name, 'test_rounding');
    assert.match(facts.failures[1]!.message, /database unavailable/);
  });

  test('Jest via jest-junit (real output): a failure without a message keeps its first line', async () => {
    const facts = await parseJUnit(fixture('jest.junit.xml'));
    assert.equal(facts.tests, 3);
    assert.equal(facts.failed, 1);
    assert.equal(facts.skipped, 1);
    assert.match(facts.failures[0]!.message, /^Error: expect\(received\)\.toBe\(expected\)/);
  });

  test('Vitest (real output)', async () => {
    const facts = await parseJUnit(fixture('vitest.junit.xml'));
    assert.deepEqual([facts.tests, facts.passed, facts.failed, facts.skipped], [3, 1, 1, 1]);
    assert.equal(facts.failures[0]!.name, 'refunds > rounding');
  });

  test("gotestsum: subtests are cases; go's skip message is not a failure", async () => {
    const facts = await parseJUnit(fixture('gotestsum.junit.xml'));
    assert.deepEqual([facts.tests, facts.passed, facts.failed, facts.skipped], [6, 4, 1, 1]);
    assert.equal(facts.failures[0]!.suite, 'github.com/example/ledger/internal/posting');
  });

  test("node --test's junit reporter on this project's own suites (real output), streamed", async () => {
    const facts = await parseJUnit(fixtureStream('node-test.junit.xml'));
    assert.ok(facts.tests > 5);
    assert.equal(facts.failed, 0);
    assert.equal(facts.passed + facts.skipped, facts.tests);
  });

  test('nested suites (Jest, node --test describe) count each case once', async () => {
    const xml =
      '<testsuites><testsuite name="a"><testsuite name="b"><testcase name="x"/>' +
      '<testcase name="y"><failure message="boom"/></testcase></testsuite></testsuite></testsuites>';
    const facts = await parseJUnit(xml);
    assert.deepEqual([facts.tests, facts.passed, facts.failed], [2, 1, 1]);
    assert.equal(facts.failures[0]!.suite, 'b');
  });

  test('another XML document is the wrong format, said so', async () => {
    await assert.rejects(
      parseJUnit('<coverage line-rate="1"/>'),
      /expected a JUnit report.*<coverage>/,
    );
  });
});
