import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteChangeMark } from './sqlite.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('data_version is read once per turn of the event loop, and a change moves the mark', async () => {
  let version = 1;
  let reads = 0;
  const mark = new SqliteChangeMark(() => {
    reads++;
    return version;
  });
  const first = mark.current();
  version = 2; // another connection commits within the same turn
  assert.equal(mark.current(), first, 'within a turn the mark read at its start holds');
  assert.equal(reads, 1);
  await nextTurn();
  const second = mark.current();
  assert.notEqual(second, first, 'the next turn sees the commit');
  assert.equal(reads, 2);
  await nextTurn();
  assert.equal(mark.current(), second, 'no commit, no move');
});

test('our own commit moves the mark at once, within the turn', () => {
  const mark = new SqliteChangeMark(() => 7);
  const before = mark.current();
  mark.committed();
  assert.notEqual(mark.current(), before);
});
