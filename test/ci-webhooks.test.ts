/**
 * CI webhooks (GitLab, Jenkins, Azure DevOps) over HTTP on a real port, on SQLite and on
 * PostgreSQL, fed with the vendors' published example payloads (test/fixtures/ci, with
 * their sources in its README): authentication before parsing, idempotent redelivery,
 * dead letters, and bad input named by field with nothing stored.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { jenkinsSignature } from '../src/integrations/ci/jenkins.js';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/ci/${name}.json`, import.meta.url), 'utf8');
const SECRET = 'a-ci-webhook-secret-of-length';
const GITLAB_SHA = '279484c09fbe69ededfced8c1bb6e6d24616b468';
const PIPELINE_SHA = 'bcbb5ec396a2c0f828686f14fac9b80b780504f2';

const service = (name: string) => ({
  name,
  team: 'platform',
  tier: 3,
  customerFacing: false,
  dataSensitivity: 'internal',
  dependsOn: [],
});
const CATALOG = {
  ...TEST_CATALOG,
  services: [
    ...TEST_CATALOG.services,
    service('test-deployment-webhooks'),
    service('gitlab-test'),
    service('fabrikam'),
  ],
  environments: [
    ...TEST_CATALOG.environments,
    { name: 'staging', position: 5, regions: [] },
    { name: 'dev', position: 6, regions: [] },
  ],
};

for (const engine of await engines()) {
  describe(`CI webhooks on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let managerToken: string;
    const releases: Record<string, string> = {};

    const events = async () => (await server.call('GET', '/events?limit=500')).body as any[];
    const deployments = async (release: string) =>
      (await server.call('GET', `/releases/${release}/deployments`)).body as any[];
    const gitlab = (body: string, event: string, token: string | null = SECRET, extra = {}) =>
      server.call('POST', '/webhooks/gitlab', {
        body,
        token: null,
        headers: {
          'x-gitlab-event': event,
          ...(token === null ? {} : { 'x-gitlab-token': token }),
          ...extra,
        },
      });
    const jenkins = (body: string, signature: string | null = jenkinsSignature(SECRET, body)) =>
      server.call('POST', '/webhooks/jenkins', {
        body,
        token: null,
        headers: signature === null ? {} : { 'x-gatehouse-signature-256': signature },
      });
    const azure = (body: string, password: string | null = SECRET) =>
      server.call('POST', '/webhooks/azure-devops', {
        body,
        token: null,
        headers:
          password === null
            ? {}
            : {
                authorization:
                  'Basic ' + Buffer.from(`azure-devops:${password}`).toString('base64'),
              },
      });

    before(async () => {
      server = await startTestServer(engine);
      const applied = await server.call('POST', '/catalog/apply', { body: CATALOG });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      assert.equal(
        (
          await server.call('POST', '/users', {
            body: { name: 'rita', roles: ['release-manager'] },
          })
        ).status,
        201,
      );
      managerToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'rita' } }))
        .body.token;
      for (const [name, services] of Object.entries({
        gitlab: [{ service: 'test-deployment-webhooks', version: GITLAB_SHA }],
        pipeline: [{ service: 'gitlab-test', version: PIPELINE_SHA }],
        jenkins: [{ service: 'payments-api', version: '2.4.0' }],
        azure: [{ service: 'fabrikam', version: 'Release-1' }],
      })) {
        const created = await server.call('POST', '/releases', { body: releaseBody({ services }) });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        releases[name] = created.body.key;
      }
    });
    after(async () => server?.close());

    test('before a secret is set every CI delivery is refused with 401 and nothing is stored', async () => {
      const before = (await events()).length;
      const refused = [
        await gitlab(fixture('gitlab-deployment-hook'), 'Deployment Hook'),
        await jenkins(fixture('jenkins-deployment')),
        await azure(fixture('azure-devops-deployment-completed')),
      ];
      for (const r of refused) {
        assert.equal(r.status, 401);
        assert.equal(r.body.code, 'bad-signature');
        assert.match(r.body.detail, /no .* webhook secret is set/);
      }
      assert.equal((await events()).length, before);
    });

    test('only an admin sets the secrets; they are never shown', async () => {
      for (const channel of ['gitlab', 'jenkins', 'azure-devops']) {
        const refused = await server.call('PUT', `/webhooks/${channel}/secret`, {
          body: { secret: SECRET },
          token: managerToken,
        });
        assert.equal(refused.status, 403);
        const short = await server.call('PUT', `/webhooks/${channel}/secret`, {
          body: { secret: 'short' },
        });
        assert.equal(short.status, 400);
        assert.equal(short.body.errors[0].field, '/secret');
        const set = await server.call('PUT', `/webhooks/${channel}/secret`, {
          body: { secret: SECRET },
        });
        assert.equal(set.status, 200, JSON.stringify(set.body));
        assert.equal(set.body.channel, channel);
        assert.equal(JSON.stringify(set.body).includes(SECRET), false);
        const audit = await server.call(
          'GET',
          `/audit?subjectType=webhook-secret&subjectId=${channel}`,
        );
        assert.equal(JSON.stringify(audit.body).includes(SECRET), false);
      }
    });

    test('wrong credentials are refused with 401 and nothing stored', async () => {
      const before = (await events()).length;
      const body = fixture('jenkins-deployment');
      const cases = [
        await gitlab(fixture('gitlab-deployment-hook'), 'Deployment Hook', null),
        await gitlab(fixture('gitlab-deployment-hook'), 'Deployment Hook', 'not-the-secret'),
        await jenkins(body, null),
        await jenkins(body, jenkinsSignature('somebody-elses-secret', body)),
        await jenkins(body.replace('succeeded', 'failed'), jenkinsSignature(SECRET, body)),
        await azure(fixture('azure-devops-deployment-completed'), null),
        await azure(fixture('azure-devops-deployment-completed'), 'wrong-password'),
      ];
      assert.deepEqual(
        cases.map((c) => c.status),
        [401, 401, 401, 401, 401, 401, 401],
      );
      assert.equal((await events()).length, before);
      assert.deepEqual(await deployments(releases.jenkins!), []);
    });

    test('GitLab Deployment Hook (published example) records the deployment once', async () => {
      const first = await gitlab(fixture('gitlab-deployment-hook'), 'Deployment Hook');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.outcome, 'recorded');
      assert.equal(first.body.channel, 'gitlab');
      assert.equal(first.body.sender, 'gitlab-webhook');
      assert.equal(first.body.occurredAt, '2021-04-28T19:50:00.000Z');
      const [deployment] = await deployments(releases.gitlab!);
      assert.equal(deployment.id, first.body.deployment);
      assert.equal(deployment.service, 'test-deployment-webhooks');
      assert.equal(deployment.environment, 'staging');
      assert.equal(deployment.status, 'succeeded');
      const again = await gitlab(fixture('gitlab-deployment-hook'), 'Deployment Hook');
      assert.equal(again.body.outcome, 'duplicate');
      assert.equal(again.body.id, first.body.id);
      assert.equal((await deployments(releases.gitlab!)).length, 1);
    });

    test('GitLab Pipeline Hook: the published example deploys nothing (noted); a played deploy job records', async () => {
      const example = await gitlab(fixture('gitlab-pipeline-hook'), 'Pipeline Hook');
      assert.equal(example.status, 200, JSON.stringify(example.body));
      assert.equal(example.body.outcome, 'noted');
      assert.match(example.body.reason, /no deploy job/);
      const pipeline = JSON.parse(fixture('gitlab-pipeline-hook'));
      const staging = pipeline.builds.find((b: any) => b.name === 'staging');
      Object.assign(staging, {
        status: 'success',
        started_at: '2016-08-12 15:27:00 UTC',
        finished_at: '2016-08-12 15:29:00 UTC',
      });
      const played = await gitlab(JSON.stringify(pipeline), 'Pipeline Hook', SECRET, {
        'x-gitlab-event-uuid': 'pipeline-31-played',
      });
      assert.equal(played.status, 200, JSON.stringify(played.body));
      assert.equal(played.body.outcome, 'recorded');
      const [deployment] = await deployments(releases.pipeline!);
      assert.equal(deployment.environment, 'staging');
      assert.equal(deployment.status, 'succeeded');
      assert.equal(deployment.startedAt, '2016-08-12T15:27:00.000Z');
      assert.equal(deployment.finishedAt, '2016-08-12T15:29:00.000Z');
    });

    test('Jenkins: a signed deployment event records, a redelivery is a duplicate', async () => {
      const body = fixture('jenkins-deployment');
      const first = await jenkins(body);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.outcome, 'recorded');
      assert.equal(first.body.sender, 'jenkins-webhook');
      const [deployment] = await deployments(releases.jenkins!);
      assert.equal(deployment.environment, 'uat');
      assert.equal(deployment.region, 'eu-west');
      assert.equal(deployment.startedAt, '2026-03-02T10:00:00.000Z');
      assert.equal(deployment.finishedAt, '2026-03-02T10:04:30.000Z');
      assert.equal((await jenkins(body)).body.outcome, 'duplicate');
    });

    test('Azure DevOps: the published deployment-completed example records; a pipeline run is noted', async () => {
      const first = await azure(fixture('azure-devops-deployment-completed'));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.outcome, 'recorded');
      assert.equal(first.body.sender, 'azure-devops-webhook');
      assert.equal(first.body.occurredAt, '2016-09-19T13:03:28.534Z');
      const [deployment] = await deployments(releases.azure!);
      assert.equal(deployment.service, 'fabrikam');
      assert.equal(deployment.environment, 'dev');
      assert.equal(deployment.status, 'succeeded');
      assert.equal(
        (await azure(fixture('azure-devops-deployment-completed'))).body.outcome,
        'duplicate',
      );
      const run = await azure(fixture('azure-devops-run-state-changed'));
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.equal(run.body.outcome, 'noted');
      assert.match(run.body.reason, /run 11 is succeeded/);
    });

    test('a version no release ships is a dead letter (202), replayable once fixed', async () => {
      const payload = JSON.parse(fixture('jenkins-deployment'));
      payload.id = 'payments-api-deploy#413/uat';
      payload.version = '9.9.9';
      const body = JSON.stringify(payload);
      const dead = await jenkins(body);
      assert.equal(dead.status, 202, JSON.stringify(dead.body));
      assert.equal(dead.body.outcome, 'dead-letter');
      assert.match(dead.body.reason, /9\.9\.9/);
      const letters = (await server.call('GET', '/events/dead-letters')).body as any[];
      assert.ok(letters.some((l) => l.id === dead.body.id && l.channel === 'jenkins'));
      const created = await server.call('POST', '/releases', {
        body: releaseBody({ services: [{ service: 'payments-api', version: '9.9.9' }] }),
      });
      assert.equal(created.status, 201);
      const replayed = await server.call('POST', `/events/dead-letters/${dead.body.id}/replay`, {
        body: {},
      });
      assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
      assert.equal(replayed.body.outcome, 'recorded');
      assert.equal((await deployments(created.body.key)).length, 1);
    });

    test('bad input is a 400 naming the field; nothing is stored', async () => {
      const before = (await events()).length;
      const noStatus = JSON.parse(fixture('gitlab-deployment-hook'));
      delete noStatus.status;
      const badTime = JSON.parse(fixture('gitlab-deployment-hook'));
      badTime.status_changed_at = 'yesterday';
      const jenkinsBad = JSON.parse(fixture('jenkins-deployment'));
      jenkinsBad.status = 'done';
      const jenkinsExtra = { ...JSON.parse(fixture('jenkins-deployment')), colour: 'blue' };
      const jenkinsEarly = {
        ...JSON.parse(fixture('jenkins-deployment')),
        finishedAt: '2026-03-02T09:00:00Z',
      };
      const azureNoEnv = JSON.parse(fixture('azure-devops-deployment-completed'));
      delete azureNoEnv.resource.environment;
      const cases: Array<[Promise<{ status: number; body: any }>, string]> = [
        [gitlab(JSON.stringify(noStatus), 'Deployment Hook'), '/status'],
        [gitlab(JSON.stringify(badTime), 'Deployment Hook'), '/status_changed_at'],
        [gitlab('{not json', 'Deployment Hook'), '/body'],
        [gitlab(fixture('gitlab-deployment-hook'), ''), 'x-gitlab-event'],
        [jenkins(JSON.stringify(jenkinsBad)), '/status'],
        [jenkins(JSON.stringify(jenkinsExtra)), '/colour'],
        [jenkins(JSON.stringify(jenkinsEarly)), '/finishedAt'],
        [jenkins('[]'), '/body'],
        [azure(JSON.stringify(azureNoEnv)), '/resource/environment'],
        [azure(''), '/body'],
      ];
      for (const [pending, field] of cases) {
        const response = await pending;
        assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.errors[0].field, field);
      }
      assert.equal((await events()).length, before);
    });

    test('a replayed delivery (same id, same valid credential) answers duplicate and changes nothing, for every CI source', async () => {
      const head = async () => (await server.call('GET', '/audit/verify')).body.headSeq as number;
      const state = async () => ({
        audit: await head(),
        events: (await events()).length,
        deployments: [
          ...(await deployments(releases.gitlab!)),
          ...(await deployments(releases.jenkins!)),
          ...(await deployments(releases.azure!)),
        ],
      });
      // Every source has been delivered once by now (the tests above); send each again.
      const replays = {
        gitlab: () => gitlab(fixture('gitlab-deployment-hook'), 'Deployment Hook'),
        jenkins: () => jenkins(fixture('jenkins-deployment')),
        azure: () => azure(fixture('azure-devops-deployment-completed')),
      };
      for (const replay of Object.values(replays)) await replay();
      const settled = await state();
      for (const [source, replay] of Object.entries(replays)) {
        const again = await replay();
        assert.equal(again.status, 200, `${source}: ${JSON.stringify(again.body)}`);
        assert.equal(again.body.outcome, 'duplicate', source);
        assert.deepEqual(await state(), settled, `${source}: the replay changed something`);
      }
    });
  });
}
