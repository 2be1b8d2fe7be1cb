import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { httpSettingsFromEnv } from './config.js';

describe('HTTP settings from the environment', () => {
  test('unset keeps every default', () => {
    assert.deepEqual(httpSettingsFromEnv({}), {});
  });

  test('rate limit, HSTS and time-outs are read; 0 turns the rate limit off', () => {
    assert.deepEqual(
      httpSettingsFromEnv({
        GATEHOUSE_RATE_LIMIT: '0',
        GATEHOUSE_HSTS: 'on',
        GATEHOUSE_REQUEST_TIMEOUT_MS: '5000',
        GATEHOUSE_IDLE_TIMEOUT_MS: '2000',
        GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: '65000',
      }),
      {
        rateLimitPerMinute: 0,
        hsts: true,
        timeouts: { requestMs: 5000, idleMs: 2000, keepAliveMs: 65000 },
      },
    );
    assert.deepEqual(httpSettingsFromEnv({ GATEHOUSE_HSTS: 'off' }), { hsts: false });
  });

  test('bad values are refused naming the variable', () => {
    for (const [name, value] of [
      ['GATEHOUSE_RATE_LIMIT', 'lots'],
      ['GATEHOUSE_RATE_LIMIT', '-1'],
      ['GATEHOUSE_RATE_LIMIT', '1.5'],
      ['GATEHOUSE_HSTS', 'maybe'],
      ['GATEHOUSE_REQUEST_TIMEOUT_MS', '10'],
      ['GATEHOUSE_IDLE_TIMEOUT_MS', 'soon'],
      ['GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS', '99'],
    ] as const)
      assert.throws(() => httpSettingsFromEnv({ [name]: value }), new RegExp(name), name);
  });
});
