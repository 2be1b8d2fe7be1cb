/**
 * `gatehouse review …` as a process against a server process: a rolled-back release's
 * review written, refused while incomplete (exit 2, naming the field), closed, exported
 * as Markdown, searched; exit codes 0 ok, 1 refused, 2 bad input.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Scratch } from './support/engines.js';
import { runCli, startCliWorld, type ServerProcess } from './support/process.js';
import { releaseBody, TEST_CATALOG } from './support/server.js';

describe('gatehouse review commands', () => {
  let dir: string;
  let scratch: Scratch;
  let server: ServerProcess;
  let env: Record<string, string>;
  let release: string;

  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(server.url + path, {
      method,
      headers: {
        authorization: `Bearer ${token ?? env.GATEHOUSE_TOKEN}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, any>;
    assert.ok(response.ok, JSON.stringify(json));
    return json;
  };
  const cli = (...args: string[]) => runCli(args, env);

  before(async () => {
    ({ dir, scratch, server, env } = await startCliWorld('gatehouse-review-cli-'));
    await api('POST', '/catalog/apply', TEST_CATALOG);
    await api('POST', '/users', { name: 'vera', roles: ['viewer'] });
    const created = await api('POST', '/releases', releaseBody());
    release = created.key;
    for (const to of ['prepare', 'test', 'approve', 'deploy'])
      await api('POST', `/releases/${release}/transitions`, { to });
    await api('POST', `/releases/${release}/deployments`, {
      service: 'payments-api',
      environment: 'prod',
      region: 'eu-west',
      status: 'succeeded',
      historyImport: 'review-trigger fixture',
    });
    await api('POST', `/releases/${release}/transitions`, {
      to: 'rolled-back',
      reason: 'refunds failed',
    });
  });
  after(async () => {
    await server?.stop();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every review command has help', async () => {
    for (const sub of [
      'list',
      'show',
      'markdown',
      'write',
      'timeline-add',
      'cause',
      'factor',
      'action',
      'action-update',
      'overdue',
      'close',
      'lessons',
      'recurring',
      'predicted-vs-actual',
      'open',
    ]) {
      const result = await cli('review', sub, '--help');
      assert.equal(result.code, 0, sub);
      assert.match(result.stdout, /Usage: gatehouse review/);
    }
  });

  test('the rolled-back release has a full review that is written, refused while incomplete, then closed', async () => {
    const list = await cli('review', 'list', '--status', 'open');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`REV-1\\s+${release}\\s+open\\s+full\\s+yes`));

    const action = await cli(
      'review',
      'action',
      'REV-1',
      '--title',
      'Alert on refund failures',
      '--json',
    );
    assert.equal(action.code, 0, action.stderr);
    const itemId = JSON.parse(action.stdout).id as string;

    const refused = await cli('review', 'close', 'REV-1');
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /\/sections\/summary: the mandatory section 'Summary' is empty/);
    assert.match(
      refused.stderr,
      /\/actionItems\/0\/owner: action item 'Alert on refund failures' has no owner/,
    );

    const unknownSection = await cli('review', 'write', 'REV-1', '--set', 'verdict=x');
    assert.equal(unknownSection.code, 2);
    assert.match(unknownSection.stderr, /\/sections\/verdict/);

    const written = await cli(
      'review',
      'write',
      release,
      '--set',
      'summary=Refunds failed after the canary step.',
      '--set',
      'impact=Refunds failed for 12 minutes.',
      '--set',
      'detection=The refund error alert.',
      '--set',
      'response=Rolled back with the canary controller.',
      '--set',
      'went-wrong=The retry budget was exhausted under load.',
      '--set',
      'lessons=Load tests must cover refund bursts.',
    );
    assert.equal(written.code, 0, written.stderr);
    const cause = await cli(
      'review',
      'cause',
      'REV-1',
      '--method',
      'fishbone',
      '--category',
      'tooling',
      '--factor',
      'test-gap',
      '--text',
      'Refund bursts are missing from the load tests',
    );
    assert.equal(cause.code, 0, cause.stderr);
    assert.match(cause.stdout, /speculative: no evidence linked/);
    const badCause = await cli('review', 'cause', 'REV-1', '--method', 'fishbone', '--text', 'x');
    assert.equal(badCause.code, 2);
    assert.match(badCause.stderr, /\/category/);
    assert.equal((await cli('review', 'factor', 'REV-1', '--factor', 'test-gap')).code, 0);
    const timeline = await cli(
      'review',
      'timeline-add',
      'REV-1',
      '--at',
      new Date(Date.now() - 60_000).toISOString(),
      '--text',
      'Support escalated refund complaints',
    );
    assert.equal(timeline.code, 0, timeline.stderr);

    const updated = await cli(
      'review',
      'action-update',
      itemId,
      '--owner',
      'vera',
      '--due',
      new Date(Date.now() - 3600_000).toISOString(),
    );
    assert.equal(updated.code, 0, updated.stderr);
    const overdue = await cli('review', 'overdue');
    assert.match(overdue.stdout, /Alert on refund failures\s+vera\s+.*open OVERDUE/);

    const show = await cli('review', 'show', 'REV-1');
    assert.equal(show.code, 0, show.stderr);
    assert.match(
      show.stdout,
      /deployment\s+deployment of payments-api to prod \(eu-west\) succeeded/,
    );
    assert.match(show.stdout, /person\s+Support escalated refund complaints/);

    const closed = await cli('review', 'close', 'REV-1');
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, /REV-1 closed by admin/);
    const again = await cli('review', 'close', 'REV-1');
    assert.equal(again.code, 1, 'closing twice is refused');

    const file = join(dir, 'rev-1.md');
    assert.equal((await cli('review', 'markdown', 'REV-1', '-o', file)).code, 0);
    const md = readFileSync(file, 'utf8');
    assert.match(md, new RegExp(`^# REV-1: post-release review of ${release}`));
    assert.match(md, /## Facts[\s\S]*## Analysis[\s\S]*## Timeline/);

    const lessons = await cli('review', 'lessons', '-q', 'load test', '--service', 'payments-api');
    assert.equal(lessons.code, 0, lessons.stderr);
    assert.match(lessons.stdout, /REV-1\s+\S+\s+cause\s+payments-api\s+Refund bursts/);
    const recurring = await cli('review', 'recurring', '--min', '1', '--json');
    assert.deepEqual(JSON.parse(recurring.stdout).items[0].factor, 'test-gap');
  });

  test('a viewer is refused (exit 1); an unreachable server is exit 3', async () => {
    const token = (await api('POST', '/tokens', { name: 't', user: 'vera' })).token as string;
    const viewer = await runCli(['review', 'factor', 'REV-1', '--factor', 'capacity'], {
      ...env,
      GATEHOUSE_TOKEN: token,
    });
    assert.equal(viewer.code, 1);
    assert.match(viewer.stderr, /vera may not write a post-release review/);
    const down = await runCli(['review', 'list'], { ...env, GATEHOUSE_URL: 'http://127.0.0.1:9' });
    assert.equal(down.code, 3);
  });

  test('predicted versus actual lists the finished release beside its outcome', async () => {
    const result = await cli('review', 'predicted-vs-actual', '--json');
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout);
    const mine = body.releases.find((r: { release: string }) => r.release === release);
    assert.equal(mine.state, 'rolled-back');
    assert.equal(mine.rolledBack, true);
    assert.equal(mine.wentWrong, true);
    assert.equal(mine.predictedFailure, null, 'one finished release is too little to fit a model');
    assert.equal(
      body.byLevel.reduce((sum: number, b: { releases: number }) => sum + b.releases, 0),
      1,
    );
  });

  test('review open opens a review by hand; a second open, bad input and a viewer are refused', async () => {
    const fresh = (await api('POST', '/releases', releaseBody())).key as string;
    const opened = await cli(
      'review',
      'open',
      fresh,
      '--reason',
      'a near miss in the canary',
      '--template',
      'light',
      '--json',
    );
    assert.equal(opened.code, 0, opened.stderr);
    const review = JSON.parse(opened.stdout);
    assert.equal(review.release, fresh);
    assert.equal(review.template, 'light');
    assert.deepEqual(
      review.triggers.map((t: { kind: string }) => t.kind),
      ['manual'],
    );

    const again = await cli('review', 'open', fresh, '--reason', 'again');
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, new RegExp(`already has an open review, ${review.key}`));

    const other = (await api('POST', '/releases', releaseBody())).key as string;
    const badTemplate = await cli('review', 'open', other, '--reason', 'x', '--template', 'heavy');
    assert.equal(badTemplate.code, 2);
    assert.match(badTemplate.stderr, /--template must be full or light/);
    const blank = await cli('review', 'open', other, '--reason', '  ');
    assert.equal(blank.code, 2, blank.stderr);
    assert.match(blank.stderr, /\/body\/reason/);
    const noReason = await cli('review', 'open', other);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason/);

    const token = (await api('POST', '/tokens', { name: 't2', user: 'vera' })).token as string;
    const viewer = await runCli(['review', 'open', other, '--reason', 'curious'], {
      ...env,
      GATEHOUSE_TOKEN: token,
    });
    assert.equal(viewer.code, 1);
    assert.match(viewer.stderr, /vera may not write a post-release review/);

    // Nothing was opened for the refused attempts.
    const shown = await cli('review', 'show', other);
    assert.notEqual(shown.code, 0);
    assert.match(shown.stderr, new RegExp(`review '${other}' does not exist`));
  });
});
