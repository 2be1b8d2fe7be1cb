import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GatehouseError } from '../domain/errors.js';
import { parseCdevent } from './cdevents.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/cdevents/${name}.json`, import.meta.url), 'utf8');

/** Binary mode: the CloudEvents attributes in headers, the CDEvent as the body. */
function binary(name: string) {
  const cdevent = JSON.parse(fixture(name));
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': cdevent.context.id,
      'ce-source': cdevent.context.source,
      'ce-type': cdevent.context.type,
      'ce-time': cdevent.context.timestamp,
    },
    body: fixture(name),
  };
}

function structured(name: string, overrides: Record<string, unknown> = {}) {
  const cdevent = JSON.parse(fixture(name));
  return {
    headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    body: JSON.stringify({
      specversion: '1.0',
      id: cdevent.context.id,
      source: cdevent.context.source,
      type: cdevent.context.type,
      time: cdevent.context.timestamp,
      datacontenttype: 'application/json',
      data: cdevent,
      ...overrides,
    }),
  };
}

function refusal(fn: () => unknown): GatehouseError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GatehouseError, String(error));
    assert.equal(error.kind, 'invalid');
    return error;
  }
  assert.fail('expected a refusal');
}

test('service.deployed from the spec example, in both modes, means the same deployment', () => {
  for (const message of [binary('service_deployed'), structured('service_deployed')]) {
    const event = parseCdevent(message.headers, message.body);
    assert.equal(event.channel, 'cdevents');
    assert.equal(event.deliveryKey, '/event/source/123\n271069a8-fc18-44f1-b38f-9d70a1695819');
    assert.equal(event.type, 'dev.cdevents.service.deployed.0.1.1');
    assert.equal(event.occurredAt, '2023-03-20T14:27:05.315Z');
    assert.deepEqual(event.meaning, {
      kind: 'deployment',
      services: ['mysubject123', 'myapp'],
      environment: 'test123',
      versions: ['sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427'],
      artifact:
        'pkg:oci/myapp@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427',
      region: null,
      status: 'succeeded',
      trackingKey:
        '/event/source/123\nmySubject123\ntest123\npkg:oci/myapp@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427',
      createdAt: null,
    });
  }
});

test('every spec example maps to its meaning', () => {
  const kinds: Record<string, Record<string, unknown>> = Object.fromEntries(
    [
      'service_deployed',
      'service_upgraded',
      'service_rolledback',
      'service_removed',
      'environment_created',
      'environment_modified',
      'environment_deleted',
      'incident_detected',
      'incident_reported',
      'incident_resolved',
    ].map((name) => {
      const { meaning } = parseCdevent(binary(name).headers, binary(name).body);
      return [name, meaning as unknown as Record<string, unknown>];
    }),
  );
  assert.equal(
    kinds.service_upgraded!.kind === 'deployment' && kinds.service_upgraded!.status,
    'succeeded',
  );
  assert.ok(kinds.service_rolledback!.kind === 'deployment');
  assert.equal(kinds.service_rolledback!.status, 'rolled-back');
  assert.equal(kinds.service_rolledback!.trackingKey, null);
  assert.deepEqual(kinds.service_removed!, {
    kind: 'noted',
    summary: 'mysubject123 removed from test123',
  });
  assert.deepEqual(kinds.environment_created!, {
    kind: 'environment',
    action: 'created',
    environment: 'testenv',
  });
  assert.deepEqual(kinds.environment_deleted!, {
    kind: 'environment',
    action: 'deleted',
    environment: 'testenv',
  });
  assert.deepEqual(kinds.incident_reported!, {
    kind: 'incident',
    action: 'reported',
    externalId: '/monitoring/prod1\nincident-123',
    title: 'Response time above threshold of 100ms',
    services: ['myapp'],
    environment: 'prod1',
    severity: 3,
  });
  assert.ok(
    kinds.incident_detected!.kind === 'incident' && kinds.incident_resolved!.kind === 'incident',
  );
  assert.equal(kinds.incident_resolved!.action, 'resolved');
  assert.equal(kinds.incident_detected!.externalId, kinds.incident_resolved!.externalId);
});

test('malformed CloudEvents are refused naming the problem', () => {
  const plain = refusal(() =>
    parseCdevent({ 'content-type': 'application/json' }, fixture('service_deployed')),
  );
  assert.equal(plain.field, 'content-type');
  assert.match(plain.message, /not a CloudEvent/);

  const noId = binary('service_deployed');
  delete (noId.headers as Record<string, string | undefined>)['ce-id'];
  assert.equal(refusal(() => parseCdevent(noId.headers, noId.body)).field, 'ce-id');

  const badVersion = binary('service_deployed');
  badVersion.headers['ce-specversion'] = '0.3';
  assert.equal(
    refusal(() => parseCdevent(badVersion.headers, badVersion.body)).field,
    'ce-specversion',
  );

  const noSource = structured('service_deployed', { source: '' });
  assert.equal(refusal(() => parseCdevent(noSource.headers, noSource.body)).field, '/source');

  const badTime = structured('service_deployed', { time: 'yesterday' });
  assert.equal(refusal(() => parseCdevent(badTime.headers, badTime.body)).field, '/time');

  const notJson = refusal(() =>
    parseCdevent({ 'content-type': 'application/cloudevents+json' }, '{"specversion":'),
  );
  assert.equal(notJson.field, '/body');

  const mismatch = structured('service_deployed', { type: 'dev.cdevents.service.upgraded.0.1.1' });
  assert.equal(refusal(() => parseCdevent(mismatch.headers, mismatch.body)).field, '/type');

  const cdevent = JSON.parse(fixture('service_deployed'));
  delete cdevent.subject.content.environment;
  const noEnvironment = structured('service_deployed', { data: cdevent });
  assert.equal(
    refusal(() => parseCdevent(noEnvironment.headers, noEnvironment.body)).field,
    '/data/subject/content/environment/id',
  );

  const notCdevent = structured('service_deployed', { data: { hello: 'world' } });
  assert.equal(
    refusal(() => parseCdevent(notCdevent.headers, notCdevent.body)).field,
    '/data/context',
  );

  const batch = refusal(() =>
    parseCdevent({ 'content-type': 'application/cloudevents-batch+json' }, '[]'),
  );
  assert.equal(batch.field, 'content-type');
});

test('CDEvents of kinds Gatehouse does not act on are noted, not refused', () => {
  const cdevent = JSON.parse(fixture('service_deployed'));
  cdevent.context.type = 'dev.cdevents.build.started.0.1.1';
  const message = structured('service_deployed', { data: cdevent, type: cdevent.context.type });
  const event = parseCdevent(message.headers, message.body);
  assert.deepEqual(event.meaning, {
    kind: 'noted',
    summary: 'build.started events are not acted on',
  });
});
