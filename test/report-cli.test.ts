/**
 * `gatehouse report quarterly` and `gatehouse metrics defect-density` as processes
 * against a server process: the two files written, anonymised; bad input exit 2 naming
 * the option, a quarter not yet begun exit 1, nothing written on a refusal.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { PEOPLE, recordQuarterHistory, type QuarterHistory } from './support/quarter-history.js';

let dir: string;
let scratch: Scratch;
let server: ServerProcess;
let env: Record<string, string>;
let history: QuarterHistory;

before(async () => {
  ({ dir, scratch, server, env } = await startCliWorld('gatehouse-report-cli-'));
  history = await recordQuarterHistory(async (method, path, body) => {
    const response = await fetch(env.GATEHOUSE_URL + path, {
      method,
      headers: {
        authorization: `Bearer ${env.GATEHOUSE_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  });
});
after(async () => {
  await server?.stop();
  await scratch?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('report quarterly writes report.html and report.md, naming nobody', async () => {
  const out = join(dir, 'q', 'nested');
  const result = await runCli(
    ['report', 'quarterly', '--quarter', history.quarter, '-o', out],
    env,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`Quarterly health report ${history.quarter}`));
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok((html.match(/<svg /g) ?? []).length >= 5);
  assert.match(md, new RegExp(`^# Quarterly health report: ${history.quarter}`));
  assert.match(md, /\| Defects per release \| 0\.75 \|/);
  for (const text of [html, md])
    for (const person of Object.values(PEOPLE))
      for (const mention of [person.name, person.email, ...person.displayName.split(' ')])
        assert.ok(!new RegExp(`\\b${mention}\\b`, 'i').test(text), `'${mention}' in the report`);

  const json = await runCli(
    ['report', 'quarterly', '--quarter', history.quarter, '-o', out, '--json'],
    env,
  );
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), {
    quarter: history.quarter,
    files: { html: join(out, 'report.html'), markdown: join(out, 'report.md') },
  });
});

test('a malformed quarter is exit 2 naming --quarter; a future one exit 1; nothing written', async () => {
  const out = join(dir, 'refused');
  const malformed = await runCli(['report', 'quarterly', '--quarter', '2026-Q7', '-o', out], env);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--quarter: '2026-Q7' is not a quarter: write YYYY-Qn/);
  const missing = await runCli(['report', 'quarterly', '--quarter', history.quarter], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--output/);
  const future = await runCli(
    ['report', 'quarterly', '--quarter', history.nextQuarter, '-o', out],
    env,
  );
  assert.equal(future.code, 1, future.stderr);
  assert.match(future.stderr, new RegExp(`${history.nextQuarter} has not begun`));
  assert.equal(existsSync(out), false, 'nothing written on a refusal');
});

test('metrics defect-density prints the table, or the report as JSON; bad input exit 2', async () => {
  const range = ['--since', history.since, '--until', history.asOf];
  const table = await runCli(['metrics', 'defect-density', ...range, '--by', 'service'], env);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /GROUP\s+RELEASES\s+DEFECTS\s+PER RELEASE\s+PER CHANGED SERVICE/);
  assert.match(table.stdout, /\n\(all\)\s+4\s+3\s+0\.75\s+0\.60\s+50\.0%/);
  const json = await runCli(['metrics', 'defect-density', ...range, '--json'], env);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).overall.perRelease, 0.75);
  const by = await runCli(['metrics', 'defect-density', ...range, '--by', 'environment'], env);
  assert.equal(by.code, 2);
  assert.match(by.stderr, /--by must be one of team, service, class/);
  const unbounded = await runCli(['metrics', 'defect-density', '--since', history.since], env);
  assert.equal(unbounded.code, 2);
  assert.match(unbounded.stderr, /\/querystring\/until/);
});
