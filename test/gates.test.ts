/**
 * Policies, evidence and gate checks over HTTP on a real port, on both engines: what a
 * pipeline uploads, what the gate answers and why, waivers, and bad input refused with
 * nothing stored.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import {
  answerToDeclaredLength,
  releaseBody,
  startTestServer,
  TEST_CATALOG,
  type TestServer,
} from './support/server.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/evidence/${name}`, import.meta.url));

for (const engine of await engines()) {
  describe(`policies, evidence and gates (${engine.name})`, { skip: engine.skip }, () => {
    let server: TestServer;
    let cabToken: string;
    let deployerToken: string;

    const upload = (
      release: string,
      type: string,
      body: Buffer | string,
      token?: string,
      name?: string,
    ) =>
      fetch(
        `${server.url}/releases/${release}/evidence?type=${type}${name ? `&name=${name}` : ''}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token ?? server.adminToken}`,
            'content-type': 'application/octet-stream',
          },
          body,
        },
      ).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const gate = async (release: string, environment: string) => {
      const response = await server.call('GET', `/releases/${release}/gates/${environment}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body;
    };
    const rule = (verdict: any, id: string) => verdict.rules.find((r: any) => r.rule === id);
    const evidenceCount = async (release: string) =>
      (await server.call('GET', `/releases/${release}/evidence`)).body.length;

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      for (const [name, roles] of [
        ['carla', ['cab-member']],
        ['dan', ['deployer']],
      ] as const)
        assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
      cabToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'carla' } })).body
        .token;
      deployerToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'dan' } }))
        .body.token;
    });
    after(async () => server?.close());

    describe('policies', () => {
      test('the schema is published without a token, and the default set is version 1', async () => {
        const schema = await server.call('GET', '/policies/schema.json', { token: null });
        assert.equal(schema.status, 200);
        assert.equal(schema.body.title, 'Gatehouse policy set');
        const current = await server.call('GET', '/policies');
        assert.equal(current.body.version, 1);
        assert.equal(current.body.name, 'default');
        assert.deepEqual(current.body.document.policies.map((p: any) => p.name).slice(0, 2), [
          'emergency',
          'major-production',
        ]);
      });

      test('a policy breaking the schema is refused naming the field and the schema path', async () => {
        const yaml = `apiVersion: gatehouse/v1
kind: PolicySet
name: strict
policies:
  - name: all
    match: {}
    requires:
      tests: { minPassRate: 120 }
      flux: true
`;
        const response = await server.call('POST', '/policies', {
          body: yaml,
          headers: { 'content-type': 'application/yaml' },
        });
        assert.equal(response.status, 400);
        assert.equal(response.body.code, 'invalid-policy');
        const fields = response.body.errors.map((e: any) => e.field);
        assert.ok(fields.includes('/policies/0/requires/tests/minPassRate'), fields.join());
        assert.ok(fields.includes('/policies/0/requires/flux'), fields.join());
        assert.match(response.body.errors[0].reason, /\(schema: #\/properties\/policies\/items/);
        assert.equal((await server.call('GET', '/policies')).body.version, 1);
      });

      test('applying YAML makes a new version, audited; the same content again changes nothing', async () => {
        const yaml = readFileSync(
          new URL('../policies/default.yaml', import.meta.url),
          'utf8',
        ).replace('minPassRate: 95', 'minPassRate: 90');
        const send = () =>
          server.call('POST', '/policies', {
            body: yaml,
            headers: { 'content-type': 'application/yaml' },
          });
        const first = await send();
        assert.equal(first.status, 200, JSON.stringify(first.body));
        assert.equal(first.body.changed, true);
        assert.equal(first.body.policySet.version, 2);
        const again = await send();
        assert.equal(again.body.changed, false);
        assert.equal(again.body.policySet.version, 2);
        const audit = await server.call(
          'GET',
          '/audit?subjectType=policy-set&subjectId=default%402',
        );
        assert.equal(audit.body.items?.length ?? audit.body.length, 1);
        const versions = await server.call('GET', '/policies/versions');
        assert.deepEqual(
          versions.body.map((v: any) => v.version),
          [2, 1],
        );
      });
    });

    describe('evidence', () => {
      let key: string;
      before(async () => {
        key = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
      });

      test('a JUnit report is stored with its SHA-256 and normalised facts, audited', async () => {
        const file = fixture('surefire.junit.xml');
        const response = await upload(key, 'junit', file, deployerToken, 'surefire.xml');
        assert.equal(response.status, 201, JSON.stringify(response.body));
        assert.equal(response.body.sha256, createHash('sha256').update(file).digest('hex'));
        assert.equal(response.body.size, file.length);
        assert.equal(response.body.uploadedBy, 'dan');
        assert.deepEqual(
          [response.body.facts.tests, response.body.facts.failed, response.body.facts.errors],
          [5, 1, 1],
        );
        const listed = await server.call('GET', `/releases/${key}/evidence`);
        assert.equal(listed.body.length, 1);
        assert.equal(listed.body[0].fileName, 'surefire.xml');
        const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${key}`);
        const entries = audit.body.items ?? audit.body;
        assert.ok(entries.some((e: any) => e.action === 'evidence.added'));
      });

      test('each format is accepted under its own type', async () => {
        for (const [type, name] of [
          ['lcov', 'node-test.lcov'],
          ['cobertura', 'cobertura.xml'],
          ['sarif', 'eslint.sarif'],
          ['cyclonedx', 'gatehouse.cdx.json'],
          ['trivy', 'trivy.json'],
          ['grype', 'grype.json'],
        ] as const) {
          const response = await upload(key, type, fixture(name));
          assert.equal(response.status, 201, `${type}: ${JSON.stringify(response.body)}`);
        }
      });

      test('wrong format, malformed, entity expansion, empty, unknown type: 400 and nothing stored', async () => {
        const before = await evidenceCount(key);
        const lol =
          '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><testsuite name="&b;"/>';
        for (const [type, body, pattern] of [
          ['junit', fixture('trivy.json'), /not well-formed XML/],
          ['trivy', fixture('grype.json'), /not a Trivy JSON report/],
          ['junit', '<testsuite><testcase name="x">', /not well-formed/],
          ['junit', lol, /internal subset is not accepted/],
          ['sarif', '{"version":"2.1.0","runs":[', /not valid JSON/],
        ] as const) {
          const response = await upload(key, type, body);
          assert.equal(response.status, 400, `${type}: ${JSON.stringify(response.body)}`);
          assert.equal(response.body.code, 'invalid-evidence');
          assert.match(response.body.detail, pattern);
          assert.equal(response.body.errors[0].field, '/body');
        }
        const unknownType = await upload(key, 'spdx', '{}');
        assert.equal(unknownType.status, 400);
        assert.match(unknownType.body.errors[0].field, /type/);
        assert.equal((await upload(key, 'junit', '')).status, 400);
        assert.equal(await evidenceCount(key), before);
      });

      test('unknown release is 404; a viewer-less role is 403; over 50 MiB is 413; nothing stored', async () => {
        const before = await evidenceCount(key);
        assert.equal((await upload('REL-9999', 'junit', fixture('pytest.junit.xml'))).status, 404);
        await server.call('POST', '/users', { body: { name: 'val', roles: ['viewer'] } });
        const viewer = (await server.call('POST', '/tokens', { body: { name: 't', user: 'val' } }))
          .body.token;
        assert.equal((await upload(key, 'junit', fixture('pytest.junit.xml'), viewer)).status, 403);
        const huge = await answerToDeclaredLength(
          server.url,
          'POST',
          `/releases/${key}/evidence?type=junit`,
          {
            authorization: `Bearer ${server.adminToken}`,
            'content-type': 'application/octet-stream',
          },
          50 * 1024 * 1024 + 1,
        );
        assert.equal(huge.status, 413, JSON.stringify(huge.body));
        assert.equal(huge.body.status, 413);
        assert.equal(await evidenceCount(key), before);
        assert.equal((await server.call('GET', '/healthz')).status, 200);
      });
    });

    describe('gate checks', () => {
      let key: string;
      before(async () => {
        key = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
      });

      test('without evidence the gate fails and says what to upload', async () => {
        const verdict = await gate(key, 'sit');
        assert.equal(verdict.verdict, 'fail');
        assert.equal(verdict.policy, 'streamlined');
        assert.equal(verdict.policySet.version, 2);
        assert.equal(verdict.policySet.pinned, true);
        assert.equal(rule(verdict, 'tests-pass-rate').result, 'fail');
        assert.match(
          rule(verdict, 'tests-pass-rate').reason,
          /gatehouse evidence add .* --type junit/,
        );
        assert.equal(rule(verdict, 'prior-environment-verified').result, 'not-applicable');
        assert.equal(rule(verdict, 'coverage-lines').result, 'not-applicable');
      });

      test('critical CVEs are named with package and fixed version', async () => {
        await upload(key, 'trivy', fixture('trivy.json'));
        const verdict = await gate(key, 'sit');
        const cves = rule(verdict, 'critical-vulnerabilities');
        assert.equal(cves.result, 'fail');
        assert.match(cves.reason, /^2 critical CVEs: /);
        assert.match(cves.reason, /CVE-2019-10744 in lodash 4\.17\.20, fixed in 4\.17\.21/);
        assert.match(cves.reason, /CVE-2024-29415 in ip 2\.0\.1, no fix yet/);
      });

      test('passing evidence passes; a re-upload under the same name replaces the earlier one', async () => {
        await upload(key, 'junit', fixture('node-test.junit.xml'), undefined, 'unit.xml');
        await upload(key, 'cyclonedx', fixture('gatehouse.cdx.json'), undefined, 'sbom.json');
        await upload(key, 'trivy', '{"SchemaVersion":2,"ArtifactName":".","Results":[]}');
        const verdict = await gate(key, 'sit');
        assert.equal(rule(verdict, 'tests-pass-rate').result, 'pass');
        assert.equal(
          rule(verdict, 'critical-vulnerabilities').result,
          'pass',
          rule(verdict, 'critical-vulnerabilities').reason,
        );
        assert.equal(verdict.verdict, 'pass');
      });

      test('production needs pre-prod verified from the deployments table', async () => {
        let verdict = await gate(key, 'prod');
        assert.equal(verdict.policy, 'streamlined-production');
        const prior = rule(verdict, 'prior-environment-verified');
        assert.equal(prior.result, 'fail');
        assert.match(
          prior.reason,
          /pre-prod is not verified: payments-api was never deployed there/,
        );
        const deployed = await server.call('POST', `/releases/${key}/deployments`, {
          body: { service: 'payments-api', environment: 'pre-prod', status: 'succeeded' },
        });
        assert.equal(deployed.status, 201);
        verdict = await gate(key, 'prod');
        assert.equal(rule(verdict, 'prior-environment-verified').result, 'pass');
        // The latest deployment of the service there decides: a failed redeploy after the
        // success unverifies pre-prod, a later success verifies it again.
        const redeploy = async (status: string, afterMs: number) => {
          const at = (ms: number) =>
            new Date(Date.parse(deployed.body.startedAt) + ms).toISOString();
          const answer = await server.call('POST', `/releases/${key}/deployments`, {
            body: {
              service: 'payments-api',
              environment: 'pre-prod',
              status,
              startedAt: at(afterMs),
              finishedAt: at(afterMs + 500),
            },
          });
          assert.equal(answer.status, 201, JSON.stringify(answer.body));
          return rule(await gate(key, 'prod'), 'prior-environment-verified');
        };
        const failed = await redeploy('failed', 1000);
        assert.equal(failed.result, 'fail');
        assert.match(failed.reason, /payments-api/);
        assert.equal((await redeploy('succeeded', 2000)).result, 'pass');
      });

      test('a release adding external endpoints needs a pen-test sign-off, by a CAB member', async () => {
        const declared = await server.call('PUT', `/releases/${key}/security`, {
          body: { addsExternalEndpoints: true, changesAuthentication: false },
        });
        assert.equal(declared.status, 200);
        let verdict = await gate(key, 'prod');
        assert.equal(rule(verdict, 'pen-test-sign-off').result, 'fail');
        assert.match(rule(verdict, 'pen-test-sign-off').reason, /adds external endpoints/);
        const signed = await server.call('POST', `/releases/${key}/security/pen-test-sign-off`, {
          body: { reference: 'PT-2026-14' },
          token: cabToken,
        });
        assert.equal(signed.status, 200);
        verdict = await gate(key, 'prod');
        assert.equal(rule(verdict, 'pen-test-sign-off').result, 'pass');
        assert.match(rule(verdict, 'pen-test-sign-off').reason, /carla \(PT-2026-14\)/);
      });

      test('an open release of a dependency that is not yet deployed holds this one', async () => {
        const ledger = (
          await server.call('POST', '/releases', {
            body: releaseBody({
              title: 'Ledger 3.1',
              services: [{ service: 'ledger', version: '3.1.0' }],
            }),
          })
        ).body.key;
        const later = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
        const verdict = await gate(later, 'prod');
        const deps = rule(verdict, 'dependency-releases-ready');
        assert.equal(deps.result, 'fail');
        assert.match(
          deps.reason,
          new RegExp(`${ledger} \\(ledger 3\\.1\\.0, needed by payments-api\\) is in plan`),
        );
        await server.call('POST', `/releases/${ledger}/deployments`, {
          body: {
            service: 'ledger',
            environment: 'prod',
            status: 'succeeded',
            historyImport: 'ledger was already live before this test',
          },
        });
        assert.equal(rule(await gate(later, 'prod'), 'dependency-releases-ready').result, 'pass');
      });

      test('a waiver turns one failing rule into waived, shows in the verdict and the audit log', async () => {
        const failing = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
        const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
        const selfWaiver = await server.call('POST', `/releases/${failing}/waivers`, {
          body: { rule: 'tests-pass-rate', justification: 'flaky', expiresAt },
        });
        assert.equal(selfWaiver.status, 403, 'the requester may not waive their own release');
        const byDeployer = await server.call('POST', `/releases/${failing}/waivers`, {
          body: { rule: 'tests-pass-rate', justification: 'flaky', expiresAt },
          token: deployerToken,
        });
        assert.equal(byDeployer.status, 403);
        const granted = await server.call('POST', `/releases/${failing}/waivers`, {
          body: { rule: 'tests-pass-rate', justification: 'Suite rewritten in PAY-120', expiresAt },
          token: cabToken,
        });
        assert.equal(granted.status, 201, JSON.stringify(granted.body));
        const verdict = await gate(failing, 'sit');
        const tests = rule(verdict, 'tests-pass-rate');
        assert.equal(tests.result, 'waived');
        assert.match(
          tests.reason,
          /waived by carla until .*Suite rewritten in PAY-120.*would fail: no JUnit/,
        );
        assert.equal(verdict.waivers.length, 1);
        assert.equal(verdict.waivers[0].active, true);
        // Only the waived rule changed: the missing scan still fails the gate.
        assert.equal(rule(verdict, 'critical-vulnerabilities').result, 'fail');
        assert.equal(verdict.verdict, 'fail');
        const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${failing}`);
        assert.ok((audit.body.items ?? audit.body).some((e: any) => e.action === 'waiver.granted'));
      });

      test('waivers refuse unknown rules, past or distant expiries', async () => {
        for (const [body, field] of [
          [
            {
              rule: 'freeze',
              justification: 'x',
              expiresAt: new Date(Date.now() + 1e6).toISOString(),
            },
            '/body/rule',
          ],
          [
            { rule: 'rollback-plan', justification: 'x', expiresAt: '2020-01-01T00:00:00Z' },
            '/expiresAt',
          ],
          [
            { rule: 'rollback-plan', justification: 'x', expiresAt: '2999-01-01T00:00:00Z' },
            '/expiresAt',
          ],
        ] as const) {
          const response = await server.call('POST', `/releases/${key}/waivers`, {
            body,
            token: cabToken,
          });
          assert.equal(response.status, 400, JSON.stringify(response.body));
          assert.equal(response.body.errors[0].field, field);
        }
      });

      test('unknown release or environment is 404', async () => {
        assert.equal((await server.call('GET', '/releases/REL-9999/gates/sit')).status, 404);
        assert.equal((await server.call('GET', `/releases/${key}/gates/mars`)).status, 404);
      });
    });
  });
}
