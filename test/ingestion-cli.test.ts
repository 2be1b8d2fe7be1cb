/**
 * `gatehouse deploy …` and `gatehouse events …` as processes against a server process:
 * what they print and their exit codes (0 ok, 1 refused or dead-lettered, 2 bad input).
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess, adminCall } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/cdevents/${name}.json`, import.meta.url));
const MYAPP =
  'pkg:oci/myapp@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427';
const myapp = {
  name: 'myapp',
  team: 'platform',
  tier: 3,
  customerFacing: false,
  dataSensitivity: 'internal',
  dependsOn: [],
};
const test123 = { name: 'test123', position: 5, regions: [] };

describe('gatehouse deploy and events commands', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  let release: string;
  let myappRelease: string;

  const api = (method: string, path: string, body?: unknown) => adminCall(env, method, path, body);

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-ingestion-cli-'));
    // The catalog does not know myapp yet: its first event becomes a dead letter.
    await api('POST', '/catalog/apply', {
      ...TEST_CATALOG,
      environments: [...TEST_CATALOG.environments, test123],
    });
    release = (await api('POST', '/releases', releaseBody())).key;
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every new command has help', async () => {
    for (const args of [
      ['deploy', 'record'],
      ['deploy', 'list'],
      ['events', 'send'],
      ['events', 'list'],
      ['events', 'dead-letters'],
      ['events', 'replay'],
    ]) {
      const result = await runCli([...args, '--help']);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Usage: gatehouse/);
    }
  });

  test('deploy record records a deployment; bad input exits 2 naming the field', async () => {
    const recorded = await runCli(
      [
        'deploy',
        'record',
        release,
        '--service',
        'payments-api',
        '--env',
        'uat',
        '--region',
        'eu-west',
      ],
      env,
    );
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.match(
      recorded.stdout,
      new RegExp(`recorded ${release} payments-api succeeded in uat \\(eu-west\\)`),
    );
    const listed = await runCli(['deploy', 'list', release, '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout).length, 1);

    const unknown = await runCli(
      ['deploy', 'record', release, '--service', 'payments-api', '--env', 'moon'],
      env,
    );
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /environment 'moon' does not exist/);
    const status = await runCli(
      [
        'deploy',
        'record',
        release,
        '--service',
        'payments-api',
        '--env',
        'uat',
        '--status',
        'done',
      ],
      env,
    );
    assert.equal(status.code, 2);
    assert.match(status.stderr, /status/);
    const anonymous = await runCli(
      ['deploy', 'record', release, '--service', 'payments-api', '--env', 'uat'],
      { ...env, GATEHOUSE_TOKEN: '' },
    );
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /GATEHOUSE_TOKEN/);
  });

  test('events send: a dead letter exits 1, is listed, and replays once the catalog is fixed', async () => {
    const letter = await runCli(['events', 'send', fixture('service_deployed'), '--json'], env);
    assert.equal(letter.code, 1, letter.stderr);
    const sent = JSON.parse(letter.stdout);
    assert.equal(sent.outcome, 'dead-letter');
    assert.match(sent.reason, /no service named 'mysubject123' or 'myapp' in the catalog/);

    const again = await runCli(['events', 'send', fixture('service_deployed')], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^duplicate: already received/);

    const letters = await runCli(['events', 'dead-letters'], env);
    assert.equal(letters.code, 0);
    assert.match(letters.stdout, new RegExp(`${sent.id}.*dev\\.cdevents\\.service\\.deployed`));

    await api('POST', '/catalog/apply', {
      ...TEST_CATALOG,
      services: [...TEST_CATALOG.services, myapp],
      environments: [...TEST_CATALOG.environments, test123],
    });
    myappRelease = (
      await api(
        'POST',
        '/releases',
        releaseBody({ services: [{ service: 'myapp', version: '1.0.0', artifact: MYAPP }] }),
      )
    ).key;
    const replayed = await runCli(['events', 'replay', sent.id], env);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(
      replayed.stdout,
      new RegExp(`^recorded: ${myappRelease}: myapp succeeded in test123`),
    );
    const none = await runCli(['events', 'dead-letters'], env);
    assert.match(none.stdout, /no dead letters/);
    const twice = await runCli(['events', 'replay', sent.id], env);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /only dead letters are replayed/);
  });

  test('events send refuses what is not a CDEvent with exit 2', async () => {
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, 'context: nope');
    const unreadable = await runCli(['events', 'send', notJson], env);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /cannot read a CDEvent/);
    const noType = join(dir, 'no-type.json');
    writeFileSync(noType, JSON.stringify({ context: { id: 'x', source: '/s' }, subject: {} }));
    const refused = await runCli(['events', 'send', noType], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /type/);
    const listed = await runCli(['events', 'list', '--json'], env);
    assert.equal(JSON.parse(listed.stdout).length, 1);
  });
});
