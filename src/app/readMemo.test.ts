import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChangeMark, Store } from '../store/database.js';
import { ReadMemo } from './readMemo.js';

/**
 * A store whose change mark the test moves by hand; nothing else of it is used. `promised`:
 * the mark comes in a promise, as PostgreSQL's does.
 */
function storeWithMark(initial: ChangeMark | null, { promised = false } = {}) {
  const state = { mark: initial };
  const changeMark = promised ? async () => state.mark : () => state.mark;
  const store = { changeMark } as unknown as Store;
  return { store, state };
}

describe('ReadMemo', () => {
  test('reuses an answer while the mark stands and before its instant, and never otherwise', async () => {
    const { store, state } = storeWithMark(1);
    const memo = new ReadMemo<{ n: number }>(store);
    let made = 0;
    const make = async () => ({ value: { n: ++made }, until: 1_000 });
    assert.deepEqual(await memo.get('a', 0, make), { n: 1 });
    assert.deepEqual(await memo.get('a', 999, make), { n: 1 }, 'same mark, before the instant');
    assert.deepEqual(await memo.get('b', 0, make), { n: 2 }, 'another key is another answer');
    assert.deepEqual(await memo.get('a', 1_000, make), { n: 3 }, 'at the instant it is made again');
    state.mark = 2;
    assert.deepEqual(await memo.get('a', 0, make), { n: 4 }, 'a commit anywhere forgets it');
    assert.deepEqual(await memo.get('a', 0, make), { n: 4 });
    assert.deepEqual(memo.counts, { reused: 2, made: 4, shared: 0 }, 'and counts each');
  });

  test('a remembered answer comes back as it is, anything else as a promise', async () => {
    const { store, state } = storeWithMark(1);
    const memo = new ReadMemo<{ n: number }>(store);
    let made = 0;
    const make = async () => ({ value: { n: ++made }, until: 1_000 });
    const first = memo.get('a', 0, make);
    assert.ok(first instanceof Promise, 'nothing made yet');
    const answer = await first;
    assert.equal(memo.get('a', 999, make), answer, 'same mark, before the instant: no promise');
    assert.ok(memo.get('b', 0, make) instanceof Promise, 'another key');
    assert.ok(memo.get('a', 1_000, make) instanceof Promise, 'at the instant it no longer holds');
    state.mark = 2;
    assert.ok(memo.get('a', 0, make) instanceof Promise, 'a commit anywhere forgets it');
    state.mark = null;
    assert.ok(
      memo.get('a', 0, make) instanceof Promise,
      'a store without a mark remembers nothing',
    );
  });

  test('remembers nothing where the store has no change mark', async () => {
    const { store } = storeWithMark(null);
    const memo = new ReadMemo<number>(store);
    let made = 0;
    const make = async () => ({ value: ++made, until: Infinity });
    assert.equal(await memo.get('a', 0, make), 1);
    assert.equal(await memo.get('a', 0, make), 2);
  });

  test('a remembered answer cannot be changed by the request it is handed to', async () => {
    const { store } = storeWithMark(7);
    const memo = new ReadMemo<{ list: number[] }>(store);
    const answer = await memo.get('a', 0, async () => ({ value: { list: [1] }, until: Infinity }));
    assert.throws(() => answer.list.push(2), TypeError);
    assert.deepEqual((await memo.get('a', 0, async () => assert.fail('reused'))).list, [1]);
  });

  test('a failed answer is not remembered', async () => {
    const { store } = storeWithMark(1);
    const memo = new ReadMemo<number>(store);
    await assert.rejects(async () =>
      memo.get('a', 0, async () => Promise.reject(new Error('not found'))),
    );
    assert.equal(await memo.get('a', 0, async () => ({ value: 5, until: Infinity })), 5);
  });

  test('stays within its capacity', async () => {
    const { store } = storeWithMark(1);
    const memo = new ReadMemo<number>(store, 2);
    let made = 0;
    const make = async () => ({ value: ++made, until: Infinity });
    await memo.get('a', 0, make);
    await memo.get('b', 0, make);
    await memo.get('c', 0, make); // full: forgets what it held
    assert.equal(await memo.get('a', 0, make), 4);
  });
});

test('requests that miss together under one mark wait for a single making', async () => {
  const { store } = storeWithMark(1);
  const memo = new ReadMemo<number>(store);
  let made = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const make = async () => {
    made++;
    await gate;
    return { value: 42, until: Infinity };
  };
  const answers = Promise.all([memo.get('a', 0, make), memo.get('a', 0, make)]);
  release();
  assert.deepEqual(await answers, [42, 42]);
  assert.equal(made, 1);
  assert.deepEqual(memo.counts, { reused: 0, made: 1, shared: 1 });
});

test('a failed making fails those waiting for it, and the next caller makes again', async () => {
  const { store } = storeWithMark(1);
  const memo = new ReadMemo<number>(store);
  const failing = async () => Promise.reject(new Error('not found'));
  const both = [memo.get('a', 0, failing), memo.get('a', 0, failing)];
  for (const answer of both) await assert.rejects(Promise.resolve(answer), /not found/);
  assert.equal(await memo.get('a', 0, async () => ({ value: 1, until: Infinity })), 1);
});

test('a mark that comes in a promise (PostgreSQL) is waited for, and then used as any mark', async () => {
  const { store, state } = storeWithMark('10:12:', { promised: true });
  const memo = new ReadMemo<{ n: number }>(store);
  let made = 0;
  const make = async () => ({ value: { n: ++made }, until: 1_000 });
  assert.deepEqual(await memo.get('a', 0, make), { n: 1 });
  assert.deepEqual(await memo.get('a', 999, make), { n: 1 }, 'the same snapshot: reused');
  assert.deepEqual(await memo.get('a', 1_000, make), { n: 2 }, 'at the instant it is made again');
  state.mark = '10:13:';
  assert.deepEqual(await memo.get('a', 0, make), { n: 3 }, 'another snapshot: made again');
  state.mark = null;
  assert.deepEqual(await memo.get('a', 0, make), { n: 4 }, 'no snapshot read: nothing reused');
  assert.deepEqual(await memo.get('a', 0, make), { n: 5 });
  assert.deepEqual(memo.counts, { reused: 1, made: 5, shared: 0 });
});
