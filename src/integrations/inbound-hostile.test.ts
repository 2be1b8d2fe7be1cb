/**
 * The inbound parsers besides the evidence formats (those are in evidence/hostile.test.ts):
 * CDEvents, GitHub, GitLab, Jenkins and Azure DevOps deliveries, canary CSV, policy YAML,
 * package URLs and Retry-After. Whatever arrives — random text, a real delivery cut short
 * or with one character changed — each returns its result or throws the product's own
 * 'invalid' GatehouseError naming a field; nothing else escapes, and nothing hangs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePolicySource } from '../app/policies/applyPolicySet.js';
import { GatehouseError } from '../domain/errors.js';
import { parsePackageUrl } from '../domain/ingestion.js';
import { parseRetryAfter } from '../domain/itsm.js';
import { parseCanaryCsv } from './canary-csv.js';
import { parseCdevent } from './cdevents.js';
import { parseAzureDevopsDelivery } from './ci/azure-devops.js';
import { parseGitlabDelivery } from './ci/gitlab.js';
import { parseJenkinsDelivery } from './ci/jenkins.js';
import { parseGithubDelivery } from './github-deployments.js';

const fixture = (path: string) =>
  readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url), 'utf8');

/** Runs a parser; anything thrown must be a typed refusal naming what is wrong. */
function outcome(name: string, parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof GatehouseError, `${name} threw ${String(error)}`);
    assert.equal(error.kind, 'invalid', `${name}: ${error.message}`);
    assert.ok(error.message.length > 0);
  }
}

const cdeventHeaders = (body: string) => {
  let context: { id?: unknown; source?: unknown; type?: unknown } = {};
  try {
    context = (JSON.parse(body) as { context?: typeof context }).context ?? {};
  } catch {
    // a mutated body: keep the headers a real sender would have sent
  }
  return {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': String(context.id ?? 'x'),
    'ce-source': String(context.source ?? '/x'),
    'ce-type': String(context.type ?? 'dev.cdevents.service.deployed.0.1.1'),
  };
};

const PARSERS: Record<string, { sample: string; parse: (body: string) => unknown }> = {
  cdevents: {
    sample: fixture('cdevents/service_deployed.json'),
    parse: (body) => parseCdevent(cdeventHeaders(fixture('cdevents/service_deployed.json')), body),
  },
  'cdevents (headers from the body)': {
    sample: fixture('cdevents/incident_detected.json'),
    parse: (body) => parseCdevent(cdeventHeaders(body), body),
  },
  github: {
    sample: JSON.stringify({
      action: 'created',
      deployment: { id: 1, sha: 'abc', environment: 'prod', created_at: '2026-01-01T00:00:00Z' },
      repository: { name: 'payments-api', full_name: 'acme/payments-api' },
    }),
    parse: (body) =>
      parseGithubDelivery({ 'x-github-event': 'deployment', 'x-github-delivery': 'd-1' }, body),
  },
  gitlab: {
    sample: fixture('ci/gitlab-deployment-hook.json'),
    parse: (body) =>
      parseGitlabDelivery(
        { 'x-gitlab-event': 'Deployment Hook', 'x-gitlab-event-uuid': 'u-1' },
        body,
      ),
  },
  'gitlab pipeline': {
    sample: fixture('ci/gitlab-pipeline-hook.json'),
    parse: (body) => parseGitlabDelivery({ 'x-gitlab-event': 'Pipeline Hook' }, body),
  },
  jenkins: { sample: fixture('ci/jenkins-deployment.json'), parse: parseJenkinsDelivery },
  'azure devops': {
    sample: fixture('ci/azure-devops-deployment-completed.json'),
    parse: parseAzureDevopsDelivery,
  },
  'canary csv': {
    sample:
      'timestamp,latency_ms,errors\n2026-01-01T00:00:00Z,120,0\n2026-01-01T00:01:00Z,125,1\n2026-01-01T00:02:00Z,118,NA\n',
    parse: (body) => parseCanaryCsv(body, 'samples.csv'),
  },
  'policy yaml': {
    sample: readFileSync(new URL('../../policies/default.yaml', import.meta.url), 'utf8'),
    parse: (body) => parsePolicySource({ yaml: body }),
  },
};

describe('inbound parsers under hostile input', () => {
  for (const [name, { sample, parse }] of Object.entries(PARSERS)) {
    test(`${name}: the real sample parses`, () => {
      assert.ok(parse(sample));
    });

    test(`${name}: random text gives a result or a typed refusal`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 300 }),
            fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
            fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
          ),
          (text) => outcome(name, () => parse(text)),
        ),
        { numRuns: 150 },
      );
    });

    test(`${name}: a real sample cut short or with one character changed`, () => {
      fc.assert(
        fc.property(
          fc.nat({ max: sample.length }),
          fc.nat({ max: sample.length - 1 }),
          fc.string({ minLength: 1, maxLength: 1 }),
          fc.boolean(),
          (cut, at, replacement, truncate) => {
            const text = truncate
              ? sample.slice(0, cut)
              : sample.slice(0, at) + replacement + sample.slice(at + 1);
            outcome(name, () => parse(text));
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  test('package URLs and Retry-After values: any text gives a value or null, never a throw', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.constantFrom('pkg:oci/myapp@sha256%3Aabc', 'pkg:npm/%40scope/x@1.0.0', 'pkg:'),
        ),
        (text) => {
          const purl = parsePackageUrl(text);
          assert.ok(purl === null || typeof purl === 'object');
          const wait = parseRetryAfter(text, now);
          assert.ok(wait === null || (Number.isFinite(wait) && wait >= 0), `${text} → ${wait}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});
