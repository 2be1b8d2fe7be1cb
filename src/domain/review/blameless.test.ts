import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBlamelessLanguage, checkSentence, splitSentences } from './blameless.js';

const people = [
  { name: 'alice', displayName: 'Alice Martin' },
  { name: 'bkumar', displayName: 'Bala Kumar' },
];

test('a known person named with a word of fault is flagged', () => {
  const flag = checkSentence('The outage happened because Alice Martin forgot the flag.', people);
  assert.equal(flag?.person, 'alice');
  assert.match(flag!.reason, /forgot/);
  assert.equal(
    checkSentence('bkumar should have run the migration first', people)?.person,
    'bkumar',
  );
  assert.equal(checkSentence("It was Bala's fault", people)?.person, 'bkumar');
});

test('a name-like word followed by a verb of fault is flagged even when unknown', () => {
  const flag = checkSentence('Then Dave broke the cache config.', people);
  assert.equal(flag?.person, 'Dave');
  assert.match(flag!.reason, /Dave broke/);
  assert.equal(checkSentence("Carol's change caused the spike", people)?.person, 'Carol');
});

test('systems failing and people acting without fault are not flagged', () => {
  for (const sentence of [
    'The deploy broke the cache because the config had drifted.',
    'The migration caused a lock on the ledger table.',
    'Alice Martin rolled back the release within 4 minutes.',
    'Monitoring missed the error rate because no alert covered it.',
    'It broke at 10:42 UTC.',
    'Redis caused the latency spike.',
    'The team forgot to update the runbook.',
  ])
    assert.equal(checkSentence(sentence, people), null, sentence);
  // Catalog names are things, not people.
  assert.equal(checkSentence('Ledger broke under load.', people)?.person, 'Ledger');
  assert.equal(checkSentence('Ledger broke under load.', people, new Set(['ledger'])), null);
});

test('every flagged sentence of a text is returned with its field', () => {
  const flags = checkBlamelessLanguage(
    '/sections/summary',
    'Release 2.4 went out at 10:00. Alice broke checkout. Recovery took 20 minutes.\nBob forgot to scale the pool.',
    people,
  );
  assert.deepEqual(
    flags.map((f) => [f.field, f.sentence, f.person]),
    [
      ['/sections/summary', 'Alice broke checkout.', 'alice'],
      ['/sections/summary', 'Bob forgot to scale the pool.', 'Bob'],
    ],
  );
});

test('sentences split on stops and line breaks', () => {
  assert.deepEqual(splitSentences('One. Two!\nThree?  Four'), ['One.', 'Two!', 'Three?', 'Four']);
});
