import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyToTracked,
  catalogName,
  parsePackageUrl,
  severityFromText,
  type TrackedState,
} from './ingestion.js';

const started: TrackedState = {
  status: 'started',
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: null,
  lastEventAt: '2026-01-01T10:00:00.000Z',
};
const succeeded: TrackedState = {
  status: 'succeeded',
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:05:00.000Z',
  lastEventAt: '2026-01-01T10:05:00.000Z',
};

test('a newer final status finishes a started deployment', () => {
  assert.deepEqual(applyToTracked(started, 'succeeded', '2026-01-01T10:05:00.000Z'), {
    change: 'update',
    status: 'succeeded',
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:05:00.000Z',
    lastEventAt: '2026-01-01T10:05:00.000Z',
  });
});

test('an in-progress status arriving after the final one does not regress it', () => {
  const late = applyToTracked(succeeded, 'started', '2026-01-01T10:02:00.000Z');
  assert.equal(late.change, 'none');
  // Even one stamped later than the final status cannot move it back.
  const later = applyToTracked(succeeded, 'started', '2026-01-01T11:00:00.000Z');
  assert.equal(later.change, 'none');
  assert.match((later as { reason: string }).reason, /already succeeded/);
});

test('a late event that started earlier moves only the start', () => {
  const change = applyToTracked(succeeded, 'started', '2026-01-01T09:58:00.000Z');
  assert.deepEqual(change, {
    change: 'update',
    status: 'succeeded',
    startedAt: '2026-01-01T09:58:00.000Z',
    finishedAt: '2026-01-01T10:05:00.000Z',
    lastEventAt: '2026-01-01T10:05:00.000Z',
  });
});

test('between final statuses the newer event wins; an older one is stale', () => {
  const rolledBack = applyToTracked(succeeded, 'rolled-back', '2026-01-01T10:30:00.000Z');
  assert.equal(rolledBack.change, 'update');
  assert.equal((rolledBack as { status: string }).status, 'rolled-back');
  const older = applyToTracked(succeeded, 'failed', '2026-01-01T10:04:00.000Z');
  assert.equal(older.change, 'none');
  assert.match((older as { reason: string }).reason, /older/);
});

test('on a timestamp tie the further-along status wins, never the reverse', () => {
  const tie = applyToTracked(started, 'succeeded', started.lastEventAt);
  assert.equal(tie.change, 'update');
  const same = applyToTracked(succeeded, 'succeeded', succeeded.lastEventAt);
  assert.equal(same.change, 'none');
});

test('package URLs give the name and the decoded version', () => {
  assert.deepEqual(
    parsePackageUrl(
      'pkg:oci/myapp@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427',
    ),
    {
      type: 'oci',
      name: 'myapp',
      version: 'sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427',
    },
  );
  assert.deepEqual(parsePackageUrl('pkg:npm/%40scope/web-app@2.1.0?arch=x'), {
    type: 'npm',
    name: 'web-app',
    version: '2.1.0',
  });
  assert.deepEqual(parsePackageUrl('pkg:maven/org.acme/ledger'), {
    type: 'maven',
    name: 'ledger',
    version: null,
  });
  assert.equal(parsePackageUrl('registry.example/myapp:1.0'), null);
  assert.equal(parsePackageUrl('pkg:oci/app@%E0%A4%A'), null);
});

test('severity words and catalog names', () => {
  assert.equal(severityFromText('critical'), 1);
  assert.equal(severityFromText('High'), 2);
  assert.equal(severityFromText('medium'), 3);
  assert.equal(severityFromText('low'), 4);
  assert.equal(severityFromText(2), 2);
  assert.equal(severityFromText(undefined), 3);
  assert.equal(catalogName('Hello-World'), 'hello-world');
  assert.equal(catalogName('myApp'), 'myapp');
  assert.equal(catalogName(' Pre Prod '), 'pre-prod');
});
