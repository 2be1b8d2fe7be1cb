/**
 * Inbound events over HTTP on a real port, on SQLite and on PostgreSQL, fed with the
 * published example payloads: the CDEvents spec's examples (test/fixtures/cdevents) and
 * GitHub's (@octokit/webhooks-examples). Idempotent redelivery, out-of-order delivery,
 * dead letters and their replay, signatures, and who may send what.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/cdevents/${name}.json`, import.meta.url), 'utf8');
const githubExamples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: unknown[];
}>;
const githubExample = (name: string, index: number) =>
  structuredClone(githubExamples.find((e) => e.name === name)!.examples[index]) as any;

const MYAPP_V1 =
  'pkg:oci/myapp@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427';
const MYAPP_V2 =
  'pkg:oci/myapp@sha256%3A9999999999999999999999999999999999999999999999999999999999999999';
const SECRET = 'an-agreed-webhook-secret';

/** The catalog of the tests, plus the services and environments the examples name. */
const CATALOG = {
  ...TEST_CATALOG,
  services: [
    ...TEST_CATALOG.services,
    {
      name: 'myapp',
      team: 'platform',
      tier: 3,
      customerFacing: false,
      dataSensitivity: 'internal',
      dependsOn: [],
    },
    {
      name: 'hello-world',
      team: 'platform',
      tier: 3,
      customerFacing: false,
      dataSensitivity: 'internal',
      dependsOn: [],
    },
  ],
  environments: [
    ...TEST_CATALOG.environments,
    { name: 'test123', position: 5, regions: [] },
    { name: 'production', position: 6, regions: [] },
    { name: 'github-pages', position: 7, regions: [] },
  ],
};

/** Binary mode: the CloudEvent attributes in ce-* headers, the CDEvent as the body. */
function binary(body: string, id?: string): { body: string; headers: Record<string, string> } {
  const { context } = JSON.parse(body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': id ?? context.id,
      'ce-source': context.source,
      'ce-type': context.type,
    },
  };
}

/** Structured mode: the CloudEvent envelope with the CDEvent as its data. */
function structured(body: string, id?: string): { body: string; headers: Record<string, string> } {
  const cdevent = JSON.parse(body);
  return {
    body: JSON.stringify({
      specversion: '1.0',
      id: id ?? cdevent.context.id,
      source: cdevent.context.source,
      type: cdevent.context.type,
      time: cdevent.context.timestamp,
      datacontenttype: 'application/json',
      data: cdevent,
    }),
    headers: { 'content-type': 'application/cloudevents+json' },
  };
}

/** A spec example with a few fields changed, for the events the spec has no example of. */
function variant(name: string, change: (cdevent: any) => void): string {
  const cdevent = JSON.parse(fixture(name));
  change(cdevent);
  return JSON.stringify(cdevent);
}

for (const engine of await engines()) {
  describe(`inbound events on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let deployerToken: string;
    let viewerToken: string;
    let managerToken: string;
    let myappV1: string;
    let myappV2: string;
    let hello: string;

    const send = (message: { body: string; headers: Record<string, string> }, token?: string) =>
      server.call('POST', '/events/cdevents', {
        body: message.body,
        headers: message.headers,
        token: token ?? deployerToken,
      });
    const deployments = async (release: string) =>
      (await server.call('GET', `/releases/${release}/deployments`)).body;
    const events = async () => (await server.call('GET', '/events?limit=500')).body as any[];

    async function deliver(
      name: string,
      payload: unknown,
      delivery: string,
      signature?: string | null,
    ) {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': name,
        'x-github-delivery': delivery,
      };
      const signed = signature === undefined ? await sign(SECRET, body) : signature;
      if (signed) headers['x-hub-signature-256'] = signed;
      return server.call('POST', '/webhooks/github', { body, headers, token: null });
    }

    before(async () => {
      server = await startTestServer(engine);
      const applied = await server.call('POST', '/catalog/apply', { body: CATALOG });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      for (const [name, roles] of [
        ['dana', ['deployer']],
        ['vera', ['viewer']],
        ['rita', ['release-manager']],
      ] as const) {
        assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
      }
      const token = async (user: string) =>
        (await server.call('POST', '/tokens', { body: { name: 't', user } })).body.token as string;
      deployerToken = await token('dana');
      viewerToken = await token('vera');
      managerToken = await token('rita');
      const release = async (services: unknown[]) => {
        const created = await server.call('POST', '/releases', { body: releaseBody({ services }) });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        return created.body.key as string;
      };
      myappV1 = await release([{ service: 'myapp', version: '1.0.0', artifact: MYAPP_V1 }]);
      myappV2 = await release([{ service: 'myapp', version: '2.0.0', artifact: MYAPP_V2 }]);
      hello = await release([
        { service: 'hello-world', version: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e' },
      ]);
    });
    after(async () => server?.close());

    test('service.deployed (spec example, binary mode) records the deployment once', async () => {
      const first = await send(binary(fixture('service_deployed')));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.outcome, 'recorded');
      assert.equal(first.body.channel, 'cdevents');
      assert.equal(first.body.sender, 'dana');
      assert.equal(first.body.occurredAt, '2023-03-20T14:27:05.315Z');
      const [deployment] = await deployments(myappV1);
      assert.equal(deployment.id, first.body.deployment);
      assert.equal(deployment.service, 'myapp');
      assert.equal(deployment.environment, 'test123');
      assert.equal(deployment.status, 'succeeded');
      assert.equal(deployment.finishedAt, '2023-03-20T14:27:05.315Z');

      const again = await send(binary(fixture('service_deployed')));
      assert.equal(again.status, 200);
      assert.equal(again.body.outcome, 'duplicate');
      assert.equal(again.body.id, first.body.id);
      assert.equal((await deployments(myappV1)).length, 1);
      const audit = await server.call(
        'GET',
        `/audit?subjectType=inbound-event&subjectId=${first.body.id}`,
      );
      assert.deepEqual(
        audit.body.items.map((e: { action: string }) => e.action),
        ['event.received'],
      );
    });

    test('the same delivery sent five times at once is applied once', async () => {
      const key = await (async () => {
        const created = await server.call('POST', '/releases', {
          body: releaseBody({
            services: [{ service: 'myapp', version: '3.0.0', artifact: 'pkg:oci/myapp@3.0.0' }],
          }),
        });
        return created.body.key as string;
      })();
      const message = binary(
        variant('service_deployed', (e) => {
          e.context.id = 'concurrent-1';
          e.subject.content.artifactId = 'pkg:oci/myapp@3.0.0';
          e.subject.content.environment.id = 'uat';
        }),
      );
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => send(message)));
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 200, 200, 200],
        JSON.stringify(answers.map((a) => a.body)),
      );
      assert.deepEqual(answers.map((a) => a.body.outcome).sort(), [
        'duplicate',
        'duplicate',
        'duplicate',
        'duplicate',
        'recorded',
      ]);
      assert.equal((await deployments(key)).length, 1);
    });

    test('service.upgraded then service.rolledback (structured mode) roll the upgrade back', async () => {
      const upgraded = await send(
        structured(
          variant('service_upgraded', (e) => {
            e.context.id = 'upgrade-to-v2';
            e.context.timestamp = '2023-03-21T09:00:00Z';
            e.subject.content.artifactId = MYAPP_V2;
          }),
        ),
      );
      assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
      assert.equal(upgraded.body.outcome, 'recorded');
      const [v2] = await deployments(myappV2);
      assert.equal(v2.status, 'succeeded');

      // The spec's rollback example names the artifact running afterwards: v1.
      const rolledBack = await send(
        structured(
          variant('service_rolledback', (e) => {
            e.context.timestamp = '2023-03-21T09:30:00Z';
          }),
          'rollback-1',
        ),
      );
      assert.equal(rolledBack.status, 200, JSON.stringify(rolledBack.body));
      assert.equal(rolledBack.body.outcome, 'updated');
      assert.equal(rolledBack.body.deployment, v2.id);
      assert.equal((await deployments(myappV2))[0].status, 'rolled-back');
      assert.equal((await deployments(myappV1))[0].status, 'succeeded');
      const audit = await server.call('GET', `/audit?subjectType=deployment&subjectId=${v2.id}`);
      assert.deepEqual(
        audit.body.items.map((e: { action: string }) => e.action),
        ['deployment.updated', 'deployment.recorded'],
      );
    });

    test('unknown services and environments become dead letters, replayed once fixed', async () => {
      const before = (await events()).length;
      const unknown = await send(
        binary(
          variant('service_deployed', (e) => {
            e.context.id = 'unknown-service';
            e.subject.id = 'billing';
            e.subject.content.artifactId = 'pkg:oci/billing@3.1.0';
          }),
        ),
      );
      assert.equal(unknown.status, 202, JSON.stringify(unknown.body));
      assert.equal(unknown.body.outcome, 'dead-letter');
      assert.match(unknown.body.reason, /no service named 'billing' in the catalog/);
      const environment = await send(binary(fixture('environment_created'), 'env-created'));
      assert.equal(environment.status, 202);
      assert.match(environment.body.reason, /environment 'testenv' is not in the catalog/);
      const letters = (await server.call('GET', '/events/dead-letters')).body;
      assert.deepEqual(
        letters.map((l: { id: string }) => l.id).sort(),
        [unknown.body.id, environment.body.id].sort(),
      );
      assert.equal((await events()).length, before + 2);

      // Still unknown: the replay says so again and it stays a dead letter.
      const early = await server.call('POST', `/events/dead-letters/${unknown.body.id}/replay`, {
        body: {},
        token: deployerToken,
      });
      assert.equal(early.status, 202, JSON.stringify(early.body));
      assert.equal(early.body.replays, 1);

      // The catalog learns the service and a release ships it: the replay applies it.
      const catalog = {
        ...CATALOG,
        services: [
          ...CATALOG.services,
          {
            name: 'billing',
            team: 'payments',
            tier: 3,
            customerFacing: false,
            dataSensitivity: 'internal',
            dependsOn: [],
          },
        ],
      };
      assert.equal((await server.call('POST', '/catalog/apply', { body: catalog })).status, 200);
      const billing = await server.call('POST', '/releases', {
        body: releaseBody({ services: [{ service: 'billing', version: '3.1.0' }] }),
      });
      const refused = await server.call('POST', `/events/dead-letters/${unknown.body.id}/replay`, {
        body: {},
        token: viewerToken,
      });
      assert.equal(refused.status, 403);
      const replayed = await server.call('POST', `/events/dead-letters/${unknown.body.id}/replay`, {
        body: {},
        token: deployerToken,
      });
      assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
      assert.equal(replayed.body.outcome, 'recorded');
      assert.equal(replayed.body.replays, 2);
      assert.equal((await deployments(billing.body.key))[0].status, 'succeeded');
      const remaining = (await server.call('GET', '/events/dead-letters')).body;
      assert.deepEqual(
        remaining.map((l: { id: string }) => l.id),
        [environment.body.id],
      );
      const twice = await server.call('POST', `/events/dead-letters/${unknown.body.id}/replay`, {
        body: {},
      });
      assert.equal(twice.status, 409);
      assert.equal(twice.body.code, 'not-a-dead-letter');
    });

    test('a release nobody raised for the artifact is a dead letter naming the version', async () => {
      const orphan = await send(
        binary(
          variant('service_deployed', (e) => {
            e.context.id = 'orphan-artifact';
            e.subject.content.artifactId = 'pkg:oci/myapp@7.7.7';
          }),
        ),
      );
      assert.equal(orphan.status, 202);
      assert.match(
        orphan.body.reason,
        /no release ships 'myapp' at 'pkg:oci\/myapp@7\.7\.7' or '7\.7\.7'/,
      );
    });

    test('service.removed and known environments are noted, never dropped', async () => {
      // The spec's service examples share one context id; each here is its own delivery.
      const removed = await send(structured(fixture('service_removed'), 'removed-1'));
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      assert.equal(removed.body.outcome, 'noted');
      const modified = await send(
        binary(
          variant('environment_modified', (e) => {
            e.subject.content.name = 'test123';
          }),
          'env-modified',
        ),
      );
      assert.equal(modified.body.outcome, 'noted');
      assert.match(modified.body.reason, /'test123' modified; it is in the catalog/);
      const deleted = await send(binary(fixture('environment_deleted'), 'env-deleted'));
      assert.equal(deleted.body.outcome, 'noted');
      const listed = (await server.call('GET', '/events?outcome=noted')).body;
      assert.ok(listed.some((e: { id: string }) => e.id === removed.body.id));
    });

    test('malformed CloudEvents are refused with 400 naming the problem; nothing is stored', async () => {
      const before = (await events()).length;
      const plain = await server.call('POST', '/events/cdevents', {
        body: fixture('service_deployed'),
        token: deployerToken,
      });
      assert.equal(plain.status, 400);
      assert.equal(plain.body.code, 'malformed-event');
      assert.match(plain.body.detail, /not a CloudEvent/);
      const noType = binary(fixture('service_deployed'));
      delete noType.headers['ce-type'];
      const missing = await send(noType);
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors[0].field, 'ce-type');
      const broken = await send({
        body: '{"specversion":"1.0","id":',
        headers: { 'content-type': 'application/cloudevents+json' },
      });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.errors[0].field, '/body');
      const notCdevent = await send(
        structured(JSON.stringify({ context: { type: 'com.example.thing' }, subject: {} })),
      );
      assert.equal(notCdevent.status, 400);
      const empty = await send({ body: '', headers: { 'content-type': 'application/json' } });
      assert.equal(empty.status, 400);
      assert.equal((await events()).length, before);
    });

    test('CDEvents need a token with event:ingest', async () => {
      const anonymous = await server.call('POST', '/events/cdevents', {
        ...binary(fixture('service_upgraded'), 'who-sends'),
        token: null,
      });
      assert.equal(anonymous.status, 401);
      const viewer = await send(binary(fixture('service_upgraded'), 'who-sends'), viewerToken);
      assert.equal(viewer.status, 403);
      assert.match(viewer.body.detail, /deployer/);
      const deployer = await send(binary(fixture('service_upgraded'), 'who-sends'), deployerToken);
      assert.equal(deployer.status, 200);
      assert.equal(deployer.body.outcome, 'stale');
    });

    test('incident.* events record and resolve one incident, in any order', async () => {
      // The spec's three incident examples share one context id; each is its own delivery.
      const resolved = await send(binary(fixture('incident_resolved'), 'incident-resolved'));
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      assert.equal(resolved.body.outcome, 'recorded');
      const detected = await send(
        structured(
          variant('incident_detected', (e) => {
            e.context.timestamp = '2022-11-11T13:40:00.000Z';
          }),
          'incident-detected',
        ),
      );
      assert.equal(detected.status, 200, JSON.stringify(detected.body));
      assert.equal(detected.body.outcome, 'updated');
      assert.equal(detected.body.incident, resolved.body.incident);
      const reported = await send(binary(fixture('incident_reported'), 'incident-reported'));
      assert.equal(reported.body.outcome, 'stale');
      const incident = (await server.call('GET', `/incidents/${resolved.body.incident}`)).body;
      assert.equal(incident.service, 'myapp');
      assert.equal(incident.source, 'cdevents');
      assert.equal(incident.title, 'Response time restored below 100ms');
      assert.equal(incident.startedAt, '2022-11-11T13:40:00.000Z');
      assert.equal(incident.resolvedAt, '2022-11-11T13:52:20.079Z');
      assert.equal(incident.timeToRestoreMs, 12 * 60_000 + 20_079);
    });

    describe('GitHub webhooks', () => {
      test('only an admin sets the secret; it is never shown', async () => {
        const refused = await server.call('PUT', '/webhooks/github/secret', {
          body: { secret: SECRET },
          token: managerToken,
        });
        assert.equal(refused.status, 403);
        const short = await server.call('PUT', '/webhooks/github/secret', {
          body: { secret: 'short' },
        });
        assert.equal(short.status, 400);
        assert.equal(short.body.errors[0].field, '/secret');
        const set = await server.call('PUT', '/webhooks/github/secret', {
          body: { secret: SECRET },
        });
        assert.equal(set.status, 200, JSON.stringify(set.body));
        assert.equal(JSON.stringify(set.body).includes(SECRET), false);
      });

      test('unsigned or wrongly signed deliveries are refused with 401 and nothing stored', async () => {
        const before = (await events()).length;
        const payload = githubExample('deployment', 0);
        const unsigned = await deliver('deployment', payload, 'gh-unsigned', null);
        assert.equal(unsigned.status, 401);
        assert.equal(unsigned.body.code, 'bad-signature');
        assert.match(unsigned.body.detail, /unsigned/);
        const wrong = await deliver(
          'deployment',
          payload,
          'gh-wrong',
          await sign('somebody-elses-secret', JSON.stringify(payload)),
        );
        assert.equal(wrong.status, 401);
        const tampered = await server.call('POST', '/webhooks/github', {
          body: JSON.stringify({ ...payload, action: 'deleted' }),
          headers: {
            'x-github-event': 'deployment',
            'x-github-delivery': 'gh-tampered',
            'x-hub-signature-256': await sign(SECRET, JSON.stringify(payload)),
          },
          token: null,
        });
        assert.equal(tampered.status, 401);
        assert.equal((await events()).length, before);
        assert.deepEqual(await deployments(hello), []);
      });

      test('deployment then deployment_status examples: started, then succeeded; redelivery is a duplicate', async () => {
        const created = await deliver('deployment', githubExample('deployment', 0), 'gh-1');
        assert.equal(created.status, 200, JSON.stringify(created.body));
        assert.equal(created.body.outcome, 'recorded');
        assert.equal(created.body.sender, 'github-webhook');
        let [deployment] = await deployments(hello);
        assert.equal(deployment.status, 'started');
        assert.equal(deployment.environment, 'production');
        assert.equal(deployment.startedAt, '2019-05-15T15:20:53.000Z');
        assert.equal(deployment.finishedAt, null);

        const success = await deliver(
          'deployment_status',
          githubExample('deployment_status', 0),
          'gh-2',
        );
        assert.equal(success.body.outcome, 'updated');
        [deployment] = await deployments(hello);
        assert.equal(deployment.status, 'succeeded');
        assert.equal(deployment.finishedAt, '2019-05-15T15:20:55.000Z');

        const again = await deliver(
          'deployment_status',
          githubExample('deployment_status', 0),
          'gh-2',
        );
        assert.equal(again.status, 200);
        assert.equal(again.body.outcome, 'duplicate');

        // A late in-progress status of the same deployment does not move it back.
        const late = await deliver(
          'deployment_status',
          githubExample('deployment_status', 1),
          'gh-3',
        );
        assert.equal(late.body.outcome, 'stale');
        assert.match(late.body.reason, /already succeeded/);
        assert.equal((await deployments(hello)).length, 1);
        assert.equal((await deployments(hello))[0].status, 'succeeded');
      });

      test('out of order: the final status first, the creation after it', async () => {
        const status = githubExample('deployment_status', 0);
        status.deployment.id = 777;
        status.deployment_status.state = 'failure';
        const failed = await deliver('deployment_status', status, 'gh-ooo-2');
        assert.equal(failed.body.outcome, 'recorded', JSON.stringify(failed.body));
        const creation = githubExample('deployment', 0);
        creation.deployment.id = 777;
        const late = await deliver('deployment', creation, 'gh-ooo-1');
        assert.equal(late.body.outcome, 'stale');
        const mine = (await deployments(hello)).find(
          (d: { id: string }) => d.id === failed.body.deployment,
        );
        assert.equal(mine.status, 'failed');
        assert.equal(mine.startedAt, '2019-05-15T15:20:53.000Z');
        assert.equal(mine.finishedAt, '2019-05-15T15:20:55.000Z');
      });

      test('a repository the catalog does not know is a dead letter; a bad payload a 400', async () => {
        const other = githubExample('deployment', 0);
        other.repository.name = 'Unknown-Repo';
        other.repository.full_name = 'Codertocat/Unknown-Repo';
        const letter = await deliver('deployment', other, 'gh-unknown');
        assert.equal(letter.status, 202);
        assert.match(letter.body.reason, /no service named 'unknown-repo'/);
        const broken = githubExample('deployment', 0);
        delete broken.deployment.environment;
        const refused = await deliver('deployment', broken, 'gh-broken');
        assert.equal(refused.status, 400);
        assert.equal(refused.body.errors[0].field, '/deployment/environment');
      });
    });

    // Last: it delivers to the release the GitHub tests above start from nothing.
    test('a replayed CDEvent or signed GitHub delivery changes nothing, even under a fresh GitHub delivery id', async () => {
      const state = async () => ({
        audit: (await server.call('GET', '/audit/verify')).body.headSeq as number,
        events: (await events()).length,
        deployments: [...(await deployments(myappV1)), ...(await deployments(hello))],
      });
      await send(binary(fixture('service_deployed')));
      const githubPayload = githubExample('deployment', 0);
      assert.equal(
        (await server.call('PUT', '/webhooks/github/secret', { body: { secret: SECRET } })).status,
        200,
      );
      await deliver('deployment', githubPayload, 'gh-replay-1');
      const settled = await state();
      const cdevent = await send(binary(fixture('service_deployed')));
      assert.equal(cdevent.body.outcome, 'duplicate');
      assert.deepEqual(await state(), settled, 'CDEvents replay changed something');
      const github = await deliver('deployment', githubPayload, 'gh-replay-1');
      assert.equal(github.body.outcome, 'duplicate');
      assert.deepEqual(await state(), settled, 'GitHub replay changed something');
      // X-GitHub-Delivery is not covered by the signature: a captured body sent again under
      // a new delivery id must still not record a second deployment.
      const renamed = await deliver('deployment', githubPayload, 'gh-replay-2');
      assert.ok(renamed.status < 500, JSON.stringify(renamed.body));
      assert.deepEqual(
        (await state()).deployments,
        settled.deployments,
        `a re-sent GitHub body under a new delivery id changed deployments: ${JSON.stringify(renamed.body)}`,
      );
    });
  });
}
