import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deployOrder, downstreamOf, findCycle, rollbackOrder } from './dependency-graph.js';

const graph = new Map<string, string[]>([
  ['web', ['checkout']],
  ['checkout', ['payments', 'inventory']],
  ['payments', ['auth', 'ledger']],
  ['ledger', ['auth']],
  ['inventory', []],
  ['auth', []],
]);

describe('dependency graph', () => {
  test('an acyclic graph has no cycle', () => assert.equal(findCycle(graph), null));

  test('a cycle is named as a closed path', () => {
    const cyclic = new Map(graph);
    cyclic.set('auth', ['web']);
    const cycle = findCycle(cyclic)!;
    assert.equal(cycle[0], cycle.at(-1));
    assert.ok(cycle.includes('auth') && cycle.includes('web'));
    for (let i = 0; i + 1 < cycle.length; i++)
      assert.ok(cyclic.get(cycle[i]!)!.includes(cycle[i + 1]!), `${cycle[i]} → ${cycle[i + 1]}`);
  });

  test('a self-loop is a cycle', () =>
    assert.deepEqual(findCycle(new Map([['a', ['a']]])), ['a', 'a']));

  test('deploy order puts dependencies first, even through services outside the release', () => {
    assert.deepEqual(deployOrder(graph, ['web', 'auth', 'payments']), ['auth', 'payments', 'web']);
    assert.deepEqual(rollbackOrder(graph, ['web', 'auth', 'payments']), [
      'web',
      'payments',
      'auth',
    ]);
  });

  test('downstream impact follows dependents transitively', () => {
    assert.deepEqual(downstreamOf(graph, ['auth']), ['checkout', 'ledger', 'payments', 'web']);
    assert.deepEqual(downstreamOf(graph, ['web']), []);
  });
});
