import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PostgresChangeMark } from './postgresChangeMark.js';

/** A snapshot reader the test answers by hand, one reading at a time. */
function manualSnapshots() {
  const readings: Array<{ begunAt: number; answer: (snapshot: string) => void; fail: () => void }> =
    [];
  let clock = 0;
  const read = () =>
    new Promise<string>((resolve, reject) => {
      readings.push({ begunAt: clock, answer: resolve, fail: () => reject(new Error('down')) });
    });
  return {
    mark: new PostgresChangeMark(read),
    readings,
    /** Marks a moment: a caller that asks after it must get a reading begun after it. */
    tick: () => ++clock,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a caller is answered by a reading begun after it asked; callers during one reading share the next', async () => {
  const { mark, readings, tick } = manualSnapshots();
  const first = mark.current();
  assert.equal(readings.length, 1, 'nothing under way: a reading begins at once');
  const askedAt = tick(); // a commit the next callers were told of lands here
  const second = mark.current();
  const third = mark.current();
  assert.equal(second, third, 'callers during one reading share the next');
  assert.equal(readings.length, 1, 'the next reading waits for the one under way');

  readings[0]!.answer('10:12:');
  assert.equal(await first, '10:12:');
  await settle();
  assert.equal(readings.length, 2, 'the shared reading begins when the first ends');
  assert.ok(readings[1]!.begunAt >= askedAt, 'and after the callers asked');
  readings[1]!.answer('10:13:');
  assert.equal(await second, '10:13:');
  assert.equal(await third, '10:13:');

  const fourth = mark.current();
  assert.equal(readings.length, 3, 'nothing under way again: a reading of its own');
  readings[2]!.answer('10:13:');
  assert.equal(await fourth, '10:13:', 'no commit, the same mark');
});

test('a failed reading is no mark (nothing remembered), and the next caller reads again', async () => {
  const { mark, readings } = manualSnapshots();
  const first = mark.current();
  const waiting = mark.current();
  readings[0]!.fail();
  assert.equal(await first, null);
  await settle();
  readings[1]!.answer('7:7:');
  assert.equal(await waiting, '7:7:', 'a caller waiting behind a failed reading gets the next');
  const later = mark.current();
  assert.equal(readings.length, 3);
  readings[2]!.fail();
  assert.equal(await later, null);
});
