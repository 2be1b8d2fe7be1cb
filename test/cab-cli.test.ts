/** `gatehouse cab …` and `gatehouse go-no-go …` as processes against a server process. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

describe('gatehouse cab and go-no-go', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  const tokens: Record<string, string> = {};
  let sitting: string;
  let release: string;
  let decisionId: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method,
      headers: {
        authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const as = (user: string) => ({ ...env, GATEHOUSE_TOKEN: tokens[user]! });

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-cab-cli-'));
    assert.equal((await api('POST', '/catalog/apply', TEST_CATALOG)).status, 200);
    for (const [name, roles] of [
      ['carla', ['cab-member']],
      ['dan', ['deployer']],
    ] as const) {
      assert.equal((await api('POST', '/users', { name, roles })).status, 201);
      tokens[name] = (await api('POST', '/tokens', { name: 't', user: name })).body.token;
    }
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('meeting create from YAML, list, and a bad one exits 2 naming the field', async () => {
    writeFileSync(
      join(dir, 'cab.yaml'),
      stringify({
        name: 'weekly-cab',
        title: 'Weekly CAB',
        timeZone: 'Europe/Berlin',
        start: '2026-03-24T10:00',
        end: '2026-03-24T11:00',
        rrule: 'FREQ=WEEKLY;BYDAY=TU',
        members: ['carla'],
      }),
    );
    const created = await runCli(['cab', 'meeting', 'create', '-f', join(dir, 'cab.yaml')], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /CAB meeting weekly-cab scheduled; members: carla/);
    const listed = await runCli(['cab', 'meeting', 'list'], env);
    assert.match(listed.stdout, /weekly-cab\s+Europe\/Berlin/);
    writeFileSync(
      join(dir, 'bad.yaml'),
      stringify({
        name: 'bad',
        title: 'Bad',
        timeZone: 'Europe/Berlin',
        start: '2026-03-24T10:00',
        end: '2026-03-24T09:00',
      }),
    );
    const bad = await runCli(['cab', 'meeting', 'create', '-f', join(dir, 'bad.yaml')], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /\/end: ends at 2026-03-24T09:00/);
  });

  test('agenda, decisions with their refusals and exit codes, conditions, minutes', async () => {
    sitting = (await api('GET', '/cab/meetings/weekly-cab')).body.upcoming[0].start;
    const start = new Date(Date.parse(sitting) + 86_400_000).toISOString();
    const created = await api(
      'POST',
      '/releases',
      releaseBody({
        classification: 'major',
        plannedWindow: {
          start,
          end: new Date(Date.parse(start) + 3600_000).toISOString(),
          environment: 'prod',
        },
      }),
    );
    release = created.body.key;

    const agenda = await runCli(['cab', 'agenda', 'weekly-cab', '--at', sitting, '--json'], env);
    assert.equal(agenda.code, 0, agenda.stderr);
    assert.deepEqual(
      JSON.parse(agenda.stdout).items.map((i: any) => i.release),
      [release],
    );
    const table = await runCli(['cab', 'agenda', 'weekly-cab', '--at', sitting], env);
    assert.match(table.stdout, new RegExp(`${release}\\s+\\d+ \\w+`));

    const decide = (user: string, ...extra: string[]) =>
      runCli(['cab', 'decide', 'weekly-cab', release, '--at', sitting, ...extra], as(user));
    const blank = await decide('carla', '--decision', 'go', '--rationale', ' ');
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /\/rationale: a decision must give its rationale/);
    const deployer = await decide('dan', '--decision', 'go', '--rationale', 'fine');
    assert.equal(deployer.code, 1);
    assert.match(deployer.stderr, /dan may not decide/);
    const decided = await decide(
      'carla',
      '--decision',
      'conditional-go',
      '--rationale',
      'after a load test',
      '--condition',
      'Load test at 2x peak passes',
    );
    assert.equal(decided.code, 0, decided.stderr);
    decisionId = /^decision (\S+)/.exec(decided.stdout)![1]!;
    assert.match(decided.stdout, /#1 \[open\] Load test at 2x peak passes/);

    const held = await runCli(['gate', 'check', release, '--env', 'prod', '--json'], env);
    const rule = JSON.parse(held.stdout).rules.find((r: any) => r.rule === 'cab-decision');
    assert.equal(rule.result, 'fail');

    const refused = await runCli(['cab', 'condition-met', decisionId, '1'], as('dan'));
    assert.equal(refused.code, 1);
    const met = await runCli(
      ['cab', 'condition-met', decisionId, '1', '--note', 'run 42'],
      as('carla'),
    );
    assert.equal(met.code, 0, met.stderr);
    assert.match(met.stdout, /#1 \[met\] Load test at 2x peak passes \(by carla/);
    const passed = await runCli(['gate', 'check', release, '--env', 'prod', '--json'], env);
    assert.equal(
      JSON.parse(passed.stdout).rules.find((r: any) => r.rule === 'cab-decision').result,
      'pass',
    );
    const decisions = await runCli(['cab', 'decisions', release], env);
    assert.match(decisions.stdout, /conditional-go by carla/);

    const file = join(dir, 'minutes.md');
    const minutes = await runCli(
      ['cab', 'minutes', 'weekly-cab', '--at', sitting, '-o', file],
      env,
    );
    assert.equal(minutes.code, 0, minutes.stderr);
    const md = readFileSync(file, 'utf8');
    assert.match(md, /^# CAB minutes: Weekly CAB/);
    assert.match(md, /\*\*Decision: Conditional Go\*\* by carla/);
    assert.match(md, /\[x\] Condition 1: Load test at 2x peak passes — met by carla/);
    const wrong = await runCli(['cab', 'minutes', 'weekly-cab', '--at', 'soon'], env);
    assert.equal(wrong.code, 2);
  });

  test('go-no-go record refuses a Go on a failing gate, records a No-Go, and lists it', async () => {
    const go = await runCli(
      ['go-no-go', 'record', release, '--env', 'prod', '--decision', 'go', '--rationale', 'ship'],
      as('carla'),
    );
    assert.equal(go.code, 1);
    assert.match(go.stderr, /a Go needs the readiness checklist to pass/);
    const noGo = await runCli(
      [
        'go-no-go',
        'record',
        release,
        '--env',
        'prod',
        '--decision',
        'no-go',
        '--rationale',
        'evidence missing',
        '--participant',
        'dan',
      ],
      as('carla'),
    );
    assert.equal(noGo.code, 0, noGo.stderr);
    assert.match(noGo.stdout, /NO-GO recorded by carla with carla, dan; gate fail/);
    const listed = await runCli(['go-no-go', 'list', release, '--json'], env);
    const [checkpoint] = JSON.parse(listed.stdout);
    assert.equal(checkpoint.rationale, 'evidence missing');
    assert.equal(checkpoint.readiness.verdict, 'fail');
    const blank = await runCli(
      ['go-no-go', 'record', release, '--env', 'prod', '--decision', 'no-go', '--rationale', ''],
      as('carla'),
    );
    assert.equal(blank.code, 2);
  });
});
