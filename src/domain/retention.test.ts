import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isUnderRetention,
  retainedUntil,
  retentionProblem,
  RECORD_TYPE_INFO,
} from './retention.js';

test('deployment logs and approvals are kept seven years by default', () => {
  assert.equal(RECORD_TYPE_INFO['deployment-logs'].defaultRetention, 'P7Y');
  assert.equal(RECORD_TYPE_INFO.approvals.defaultRetention, 'P7Y');
});

test('the end date is counted in calendar terms from the record instant', () => {
  assert.equal(retainedUntil('2020-03-01T10:00:00.000Z', 'P7Y'), '2027-03-01T10:00:00.000Z');
  assert.equal(retainedUntil('2024-02-29T00:00:00.000Z', 'P1Y'), '2025-02-28T00:00:00.000Z');
  assert.equal(retainedUntil('2024-01-31T00:00:00.000Z', 'P90D'), '2024-04-30T00:00:00.000Z');
});

test('a record is protected until the instant its period ends, not after', () => {
  const from = '2020-01-01T00:00:00.000Z';
  assert.equal(isUnderRetention(from, 'P1D', new Date('2020-01-01T23:59:59.999Z')), true);
  assert.equal(isUnderRetention(from, 'P1D', new Date('2020-01-02T00:00:00.000Z')), false);
});

test('durations an admin may not set are explained', () => {
  assert.equal(retentionProblem('P7Y'), null);
  assert.equal(retentionProblem('P18M'), null);
  assert.match(retentionProblem('seven years')!, /not an ISO 8601 duration/);
  assert.match(retentionProblem('PT1H')!, /shorter than one day/);
  assert.match(retentionProblem('P0D')!, /shorter than one day/);
  assert.match(retentionProblem('P200Y')!, /longer than a hundred years/);
  assert.match(retentionProblem('P99999999999Y')!, /longer than a hundred years/);
});
