import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore, type Store } from '../../store/database.js';
import { migrateToLatest } from '../../store/migrate.js';
import { execute, SYSTEM_ACTOR, type App } from '../context.js';
import { createAuthenticator } from './authenticator.js';
import { bootstrapAdmin } from './bootstrapAdmin.js';
import { hashToken } from './tokens.js';

let dir: string;
let store: Store;
/** The admin token's SHA-256, the name the authenticator knows tokens by. */
let token: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-auth-'));
  store = openStore(`sqlite:${join(dir, 'g.db')}`);
  await migrateToLatest(store);
  const app: App = { store, clock: () => new Date() };
  token = hashToken((await execute(app, SYSTEM_ACTOR, (ctx) => bootstrapAdmin(ctx)))!.token);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const revoke = () =>
  store.write((tx) =>
    tx.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).execute(),
  );
const unrevoke = () =>
  store.write((tx) => tx.updateTable('api_tokens').set({ revoked_at: null }).execute());

test('a successful answer is remembered for its time to live, then asked again', async () => {
  const authenticator = createAuthenticator(store, { ttlMs: 5_000 });
  const t0 = new Date('2030-01-01T00:00:00Z');
  assert.equal((await authenticator.authenticate(token, t0)).ok, true);
  await revoke();
  assert.equal(
    (await authenticator.authenticate(token, new Date(t0.getTime() + 4_000))).ok,
    true,
    'still remembered',
  );
  const later = await authenticator.authenticate(token, new Date(t0.getTime() + 5_001));
  assert.equal(later.ok, false, 'asked again after the time to live');
  await unrevoke();
});

test('forget() drops remembered answers at once', async () => {
  const authenticator = createAuthenticator(store);
  const now = new Date();
  assert.equal((await authenticator.authenticate(token, now)).ok, true);
  await revoke();
  authenticator.forget();
  const result = await authenticator.authenticate(token, now);
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.reason, /revoked/);
  await unrevoke();
});

test('refusals are not remembered', async () => {
  const authenticator = createAuthenticator(store);
  const now = new Date();
  await revoke();
  assert.equal((await authenticator.authenticate(token, now)).ok, false);
  await unrevoke();
  assert.equal((await authenticator.authenticate(token, now)).ok, true);
});

test('remembered() answers only what authenticate() admitted, and never past the token expiry', async () => {
  const authenticator = createAuthenticator(store, { ttlMs: 60_000 });
  const t0 = new Date('2030-01-01T00:00:00Z');
  assert.equal(authenticator.remembered(token, t0), undefined, 'nothing asked yet');
  const expiresAt = new Date(t0.getTime() + 10_000).toISOString();
  await store.write((tx) => tx.updateTable('api_tokens').set({ expires_at: expiresAt }).execute());
  try {
    assert.equal((await authenticator.authenticate(token, t0)).ok, true);
    assert.equal(authenticator.remembered(token, new Date(t0.getTime() + 9_999))?.ok, true);
    assert.equal(
      authenticator.remembered(token, new Date(t0.getTime() + 10_000)),
      undefined,
      'the token has expired, although the time to live has not',
    );
    const after = await authenticator.authenticate(token, new Date(t0.getTime() + 10_000));
    assert.equal(after.ok, false);
    if (!after.ok) assert.match(after.reason, /expired/);
  } finally {
    await store.write((tx) => tx.updateTable('api_tokens').set({ expires_at: null }).execute());
  }
});
