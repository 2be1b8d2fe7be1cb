import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCycloneDx } from './cyclonedx.js';
import { fixture, fixtureStream } from './fixtures.js';
import { parseGrype } from './grype.js';
import { parseSarif, severityOf } from './sarif.js';
import { parseTrivy } from './trivy.js';

describe('SARIF 2.1.0', () => {
  test("ESLint's SARIF formatter on this project (real output), streamed", async () => {
    const facts = await parseSarif(fixtureStream('eslint.sarif'));
    assert.deepEqual(facts.tools, ['ESLint']);
    const log = JSON.parse(fixture('eslint.sarif').toString()) as {
      runs: Array<{ results: Array<{ level?: string }> }>;
    };
    const results = log.runs.flatMap((r) => r.results);
    assert.equal(facts.total, results.length);
    assert.equal(facts.bySeverity.high, results.filter((r) => r.level === 'error').length);
    assert.equal(facts.bySeverity.medium, results.filter((r) => r.level === 'warning').length);
  });

  test('security-severity outranks the level; the rule default applies when a result has none', async () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'CodeQL',
              rules: [
                { id: 'js/sql-injection', properties: { 'security-severity': '9.8' } },
                { id: 'js/unused', defaultConfiguration: { level: 'note' } },
              ],
            },
          },
          results: [
            {
              ruleId: 'js/sql-injection',
              level: 'error',
              message: { text: 'SQL built from input' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'src/db.js' },
                    region: { startLine: 7 },
                  },
                },
              ],
            },
            { ruleId: 'js/unused', message: { text: 'unused variable' } },
            { ruleId: 'js/other', level: 'none', message: { text: 'informational' } },
          ],
        },
      ],
    };
    const facts = await parseSarif(JSON.stringify(log));
    assert.equal(facts.total, 2);
    assert.equal(facts.bySeverity.critical, 1);
    assert.equal(facts.bySeverity.low, 1);
    assert.deepEqual(facts.top[0], {
      ruleId: 'js/sql-injection',
      severity: 'critical',
      message: 'SQL built from input',
      location: 'src/db.js:7',
    });
  });

  test('results before the rules they name are still judged by those rules', async () => {
    const text =
      '{"runs":[{"results":[{"ruleId":"r","message":{"text":"m"}}],"tool":{"driver":{"name":"t","rules":[{"id":"r","properties":{"security-severity":"7.5"}}]}}}],"version":"2.1.0"}';
    const facts = await parseSarif(text);
    assert.equal(facts.bySeverity.high, 1);
  });

  test('severity thresholds', () => {
    assert.equal(severityOf('note', 9), 'critical');
    assert.equal(severityOf('note', 7), 'high');
    assert.equal(severityOf('error', 4), 'medium');
    assert.equal(severityOf('error', null), 'high');
    assert.equal(severityOf('warning', null), 'medium');
    assert.equal(severityOf('note', null), 'low');
  });

  test('other versions and other JSON are refused', async () => {
    await assert.rejects(parseSarif('{"version":"2.0.0","runs":[]}'), /only 2\.1\.0/);
    await assert.rejects(parseSarif(fixture('trivy.json')), /not a SARIF log/);
  });
});

describe('vulnerability reports', () => {
  test('Trivy: CVEs by severity with package and fixed version; no fix is null', async () => {
    const facts = await parseTrivy(fixture('trivy.json'));
    assert.deepEqual(facts.bySeverity, { critical: 2, high: 1, medium: 1, low: 0, unknown: 0 });
    assert.deepEqual(
      facts.listed
        .slice(0, 2)
        .map((v) => [v.id, v.package, v.version, v.fixedIn])
        .sort(),
      [
        ['CVE-2019-10744', 'lodash', '4.17.20', '4.17.21'],
        ['CVE-2024-29415', 'ip', '2.0.1', null],
      ],
    );
  });

  test('Grype: matches with severities in its own spelling', async () => {
    const facts = await parseGrype(fixture('grype.json'));
    assert.deepEqual(facts.bySeverity, { critical: 1, high: 1, medium: 0, low: 1, unknown: 0 });
    assert.deepEqual(facts.listed[0], {
      id: 'GHSA-jf85-cpcp-j695',
      severity: 'critical',
      package: 'lodash',
      version: '4.17.11',
      fixedIn: '4.17.12',
    });
    await assert.rejects(parseGrype(fixture('trivy.json')), /not a Grype JSON report/);
  });

  test('CycloneDX npm generator on this project (real SBOM): every nested component is counted', async () => {
    const facts = await parseCycloneDx(fixtureStream('gatehouse.cdx.json'));
    const bom = JSON.parse(fixture('gatehouse.cdx.json').toString()) as { components: unknown[] };
    assert.ok(facts.packages >= bom.components.length);
    assert.equal(facts.total, 0);
  });

  test('CycloneDX vulnerabilities: highest rating, transitive component, unaffected version as fix', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      vulnerabilities: [
        {
          id: 'CVE-2021-23337',
          ratings: [{ severity: 'high' }, { severity: 'critical' }],
          affects: [
            {
              ref: 'pkg:npm/lodash@4.17.20',
              versions: [{ version: '4.17.21', status: 'unaffected' }],
            },
          ],
        },
      ],
      components: [
        {
          'bom-ref': 'pkg:npm/express@4.18.0',
          name: 'express',
          version: '4.18.0',
          components: [{ 'bom-ref': 'pkg:npm/lodash@4.17.20', name: 'lodash', version: '4.17.20' }],
        },
      ],
    };
    const facts = await parseCycloneDx(JSON.stringify(bom));
    assert.equal(facts.packages, 2);
    assert.deepEqual(facts.listed, [
      {
        id: 'CVE-2021-23337',
        severity: 'critical',
        package: 'lodash',
        version: '4.17.20',
        fixedIn: '4.17.21',
      },
    ]);
    await assert.rejects(parseCycloneDx('{"bomFormat":"SPDX"}'), /not a CycloneDX SBOM/);
  });
});
