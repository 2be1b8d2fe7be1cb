import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { GatehouseError } from '../domain/errors.js';
import { parseGithubDelivery, signatureMatches } from './github-deployments.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: unknown[];
}>;
const example = (name: string, index = 0) =>
  JSON.stringify(examples.find((e) => e.name === name)!.examples[index]);

test('the signature is checked over the exact bytes, timing-safe, with the shared secret', async () => {
  const body = example('deployment');
  const signature = await sign('a-long-shared-secret', body);
  assert.equal(await signatureMatches('a-long-shared-secret', body, signature), true);
  assert.equal(await signatureMatches('another-secret-value', body, signature), false);
  assert.equal(await signatureMatches('a-long-shared-secret', body + ' ', signature), false);
  assert.equal(await signatureMatches('a-long-shared-secret', body, undefined), false);
  assert.equal(await signatureMatches('a-long-shared-secret', body, 'sha1=abc'), false);
  assert.equal(await signatureMatches('a-long-shared-secret', body, 'sha256=zz'), false);
});

test('a deployment example is a started deployment of the repository at its commit', () => {
  const event = parseGithubDelivery(
    { 'x-github-event': 'deployment', 'x-github-delivery': 'd-1' },
    example('deployment'),
  );
  assert.equal(event.channel, 'github');
  assert.equal(event.deliveryKey, 'd-1');
  assert.equal(event.type, 'deployment.created');
  assert.equal(event.occurredAt, '2019-05-15T15:20:53.000Z');
  assert.deepEqual(event.meaning, {
    kind: 'deployment',
    services: ['hello-world'],
    environment: 'production',
    versions: ['f95f852bd8fca8fcc58a9a2d6c842781e32a215e', 'master'],
    artifact: null,
    region: null,
    status: 'started',
    trackingKey: 'Codertocat/Hello-World\n145988746',
    createdAt: '2019-05-15T15:20:53.000Z',
  });
});

test('deployment_status examples map GitHub states, ordered by the status time', () => {
  const success = parseGithubDelivery(
    { 'x-github-event': 'deployment_status', 'x-github-delivery': 'd-2' },
    example('deployment_status', 0),
  );
  assert.equal(success.type, 'deployment_status.success');
  assert.equal(success.occurredAt, '2019-05-15T15:20:55.000Z');
  assert.ok(success.meaning.kind === 'deployment');
  assert.equal(success.meaning.status, 'succeeded');
  const inProgress = parseGithubDelivery(
    { 'x-github-event': 'deployment_status', 'x-github-delivery': 'd-3' },
    example('deployment_status', 1),
  );
  assert.ok(inProgress.meaning.kind === 'deployment');
  assert.equal(inProgress.meaning.status, 'started');
  assert.equal(inProgress.meaning.environment, 'github-pages');
});

test('the workflow may name the service and version in the deployment payload', () => {
  const payload = JSON.parse(example('deployment'));
  payload.deployment.payload = { service: 'Payments-API', version: '2.4.0', region: 'eu-west' };
  const event = parseGithubDelivery(
    { 'x-github-event': 'deployment', 'x-github-delivery': 'd-4' },
    JSON.stringify(payload),
  );
  assert.ok(event.meaning.kind === 'deployment');
  assert.deepEqual(event.meaning.services, ['payments-api', 'hello-world']);
  assert.deepEqual(event.meaning.versions.slice(0, 1), ['2.4.0']);
  assert.equal(event.meaning.region, 'eu-west');
});

test('missing headers and fields are refused naming them; other events are noted', () => {
  const refused = (headers: Record<string, string>, body: string) => {
    try {
      parseGithubDelivery(headers, body);
    } catch (error) {
      assert.ok(error instanceof GatehouseError);
      return error.field;
    }
    return assert.fail('expected a refusal');
  };
  assert.equal(
    refused({ 'x-github-event': 'deployment' }, example('deployment')),
    'x-github-delivery',
  );
  const noEnv = JSON.parse(example('deployment'));
  delete noEnv.deployment.environment;
  assert.equal(
    refused({ 'x-github-event': 'deployment', 'x-github-delivery': 'x' }, JSON.stringify(noEnv)),
    '/deployment/environment',
  );
  const ping = parseGithubDelivery({ 'x-github-event': 'ping', 'x-github-delivery': 'p' }, '{}');
  assert.deepEqual(ping.meaning, {
    kind: 'noted',
    summary: "GitHub 'ping' events are not acted on",
  });
});
