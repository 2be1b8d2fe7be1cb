/** `gatehouse calendar …` as a process against a server process, with its exit codes. */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { TEST_CATALOG } from './support/server.js';

describe('gatehouse calendar', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-calendar-cli-'));
    writeFileSync(join(dir, 'catalog.yaml'), stringify(TEST_CATALOG));
    const applied = await runCli(['catalog', 'apply', '-f', join(dir, 'catalog.yaml')], env);
    assert.equal(applied.code, 0, applied.stderr);
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('window add from YAML, then check: exit 1 inside the freeze naming it, 0 outside', async () => {
    writeFileSync(
      join(dir, 'freeze.yaml'),
      stringify({
        name: 'weekend-freeze',
        kind: 'freeze',
        timeZone: 'Europe/Berlin',
        start: '2026-01-02T18:00',
        end: '2026-01-05T06:00',
        rrule: 'FREQ=WEEKLY;BYDAY=FR',
        environments: ['prod'],
      }),
    );
    const added = await runCli(['calendar', 'window', 'add', '-f', join(dir, 'freeze.yaml')], env);
    assert.equal(added.code, 0, added.stderr);
    const listed = await runCli(['calendar', 'window', 'list'], env);
    assert.match(listed.stdout, /weekend-freeze\s+freeze/);

    const frozen = await runCli(
      ['calendar', 'check', '--service', 'ledger', '--env', 'prod', '--at', '2026-03-28T12:00:00Z'],
      env,
    );
    assert.equal(frozen.code, 1, frozen.stderr);
    assert.match(frozen.stdout, /^forbidden/);
    assert.match(frozen.stdout, /freeze weekend-freeze/);
    assert.match(frozen.stdout, /allowed again from 2026-03-30T04:00:00.000Z/);

    const open = await runCli(
      [
        'calendar',
        'check',
        '--service',
        'ledger',
        '--env',
        'prod',
        '--at',
        '2026-03-30T04:00:00Z',
        '--json',
      ],
      env,
    );
    assert.equal(open.code, 0, open.stderr);
    assert.equal(JSON.parse(open.stdout).allowed, true);
  });

  test('bad input exits 2 naming what is wrong', async () => {
    const badAt = await runCli(
      ['calendar', 'check', '--service', 'ledger', '--env', 'prod', '--at', 'next friday'],
      env,
    );
    assert.equal(badAt.code, 2);
    assert.match(badAt.stderr, /--at must be an ISO 8601 date-time/);
    const unknown = await runCli(['calendar', 'check', '--service', 'nope', '--env', 'prod'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /service 'nope' does not exist/);
    writeFileSync(
      join(dir, 'bad.yaml'),
      stringify({
        name: 'bad',
        kind: 'freeze',
        timeZone: 'Europe/Berlin',
        start: '2026-03-29T02:30',
        end: '2026-03-29T05:00',
      }),
    );
    const gap = await runCli(['calendar', 'window', 'add', '-f', join(dir, 'bad.yaml')], env);
    assert.equal(gap.code, 2);
    assert.match(gap.stderr, /\/start: 2026-03-29T02:30 does not exist in Europe\/Berlin/);
  });

  test('conflicts are listed with their reason', async () => {
    for (const [service, start, end] of [
      ['ledger', '2026-12-01T09:00:00Z', '2026-12-01T12:00:00Z'],
      ['ledger', '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z'],
    ] as const) {
      const created = await runCli(
        [
          'release',
          'create',
          '--title',
          'Ledger',
          '--version',
          '1.0.0',
          '--classification',
          'minor',
          '--service',
          `${service}@1.0.0`,
          '--window-start',
          start,
          '--window-end',
          end,
        ],
        env,
      );
      assert.equal(created.code, 0, created.stderr);
    }
    const listed = await runCli(
      ['calendar', 'conflicts', '--from', '2026-11-30T00:00:00Z', '--to', '2026-12-07T00:00:00Z'],
      env,
    );
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /same-service\s+REL-1, REL-2\s+REL-1 and REL-2 both change ledger/);
  });

  test('dependencies prints deploy order, rollback order and customer-facing impact', async () => {
    const created = await runCli(
      [
        'release',
        'create',
        '--title',
        'Auth and ledger',
        '--version',
        '2.0.0',
        '--classification',
        'minor',
        '--service',
        'ledger@2.0.0',
        '--service',
        'auth@7.0.0',
        '--json',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout).key as string;
    const shown = await runCli(['dependencies', key], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /deploy order: +auth → ledger/);
    assert.match(shown.stdout, /rollback order: ledger → auth/);
    assert.match(
      shown.stdout,
      /payments-api \(tier 2, payments\) \[customer-facing\] via auth, ledger/,
    );
    const missing = await runCli(['dependencies', 'REL-999'], env);
    assert.equal(missing.code, 2);
  });
});
