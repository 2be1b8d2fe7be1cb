import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreUnavailable } from './database.js';

test('outages of the store are told apart from other failures', () => {
  for (const outage of [
    { code: '57P01', message: 'terminating connection due to administrator command' },
    { code: '57P03', message: 'the database system is starting up' },
    { code: '08006', message: 'connection failure' },
    { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
    { code: 'SQLITE_BUSY', message: 'database is locked' },
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
  ])
    assert.equal(isStoreUnavailable(outage), true, JSON.stringify(outage));
  for (const failure of [
    { code: '23505', message: 'duplicate key value violates unique constraint' },
    { code: '42P01', message: 'relation "x" does not exist' },
    new TypeError("Cannot read properties of undefined (reading 'id')"),
    null,
    undefined,
  ])
    assert.equal(isStoreUnavailable(failure), false, String(failure?.message));
});
