import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markStep, runbookTimings, type RunbookStep } from './runbook.js';

function step(key: string, over: Partial<RunbookStep> = {}): RunbookStep {
  const [, section, position] = /^(.*)-(\d+)$/.exec(key)!;
  return {
    key,
    section: section as RunbookStep['section'],
    position: Number(position),
    title: key,
    description: '',
    owner: null,
    status: 'pending',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    markedBy: null,
    note: '',
    ...over,
  };
}

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();

test('deployment steps start in order, after every pre-check', () => {
  const steps = [step('pre-check-1'), step('step-1'), step('step-2'), step('validation-1')];
  const early = markStep(steps[1]!, 'start', T(0), steps);
  assert.deepEqual(early, {
    field: '/action',
    reason: 'step-1 cannot start before pre-check-1 is done or skipped (it is pending)',
  });
  steps[0]!.status = 'skipped';
  assert.deepEqual(markStep(steps[1]!, 'start', T(0), steps), {
    status: 'in-progress',
    startedAt: T(0),
    finishedAt: null,
  });
  const skipAhead = markStep(steps[2]!, 'complete', T(1), steps);
  assert.match((skipAhead as { reason: string }).reason, /before step-1/);
  // Validation and rollback are checklists: any order.
  assert.equal(
    (markStep(steps[3]!, 'start', T(1), steps) as { status: string }).status,
    'in-progress',
  );
});

test('marks move a step forward only, never before it started', () => {
  const running = step('step-1', { status: 'in-progress', startedAt: T(5) });
  assert.deepEqual(markStep(running, 'complete', T(9), []), {
    status: 'done',
    startedAt: T(5),
    finishedAt: T(9),
  });
  assert.equal((markStep(running, 'fail', T(4), []) as { field: string }).field, '/at');
  assert.match(
    (markStep(running, 'start', T(6), []) as { reason: string }).reason,
    /already in progress/,
  );
  const done = step('step-1', { status: 'done', startedAt: T(5), finishedAt: T(9) });
  assert.match((markStep(done, 'start', T(10), []) as { reason: string }).reason, /already done/);
  assert.match(
    (markStep(step('step-1'), 'fail', T(1), []) as { reason: string }).reason,
    /has not started/,
  );
  // A failed step may be retried.
  const failed = step('step-1', { status: 'failed', startedAt: T(5), finishedAt: T(6) });
  assert.equal((markStep(failed, 'start', T(7), []) as { status: string }).status, 'in-progress');
  // Completing a step nobody started records it as instantaneous.
  assert.deepEqual(markStep(step('validation-1'), 'complete', T(3), []), {
    status: 'done',
    startedAt: T(3),
    finishedAt: T(3),
  });
});

test('timings: total span, time per section, waiting between steps, the longest first', () => {
  const timed = (key: string, from: number, to: number, status: RunbookStep['status'] = 'done') =>
    step(key, { status, startedAt: T(from), finishedAt: T(to), durationMs: (to - from) * 60_000 });
  const timings = runbookTimings([
    timed('pre-check-1', 0, 5),
    timed('step-1', 10, 30),
    timed('step-2', 30, 35),
    timed('validation-1', 34, 40),
    step('rollback-1'),
  ]);
  assert.equal(timings.totalMs, 40 * 60_000);
  assert.deepEqual(timings.bySectionMs, {
    'pre-check': 5 * 60_000,
    step: 25 * 60_000,
    validation: 6 * 60_000,
    rollback: 0,
  });
  // Covered: 0–5 and 10–40; the 5-minute gap is waiting.
  assert.equal(timings.waitingMs, 5 * 60_000);
  assert.deepEqual(
    timings.longest.map((l) => [l.key, l.share]),
    [
      ['step-1', 0.5],
      ['validation-1', 0.15],
      ['pre-check-1', 0.125],
      ['step-2', 0.125],
    ],
  );
  assert.deepEqual(runbookTimings([step('step-1')]), {
    totalMs: null,
    bySectionMs: { 'pre-check': 0, step: 0, validation: 0, rollback: 0 },
    waitingMs: null,
    longest: [],
  });
});
