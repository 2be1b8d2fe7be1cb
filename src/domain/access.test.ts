import assert from 'node:assert/strict';
import { test } from 'node:test';
import { can, PERMISSIONS, ROLE_PERMISSIONS, ROLES, rolesWith, type Permission } from './access.js';

test('admin holds every permission and every permission has a holder', () => {
  for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
    assert.ok(can(['admin'], permission), permission);
    assert.ok(rolesWith(permission).length > 0);
  }
});

test('viewers and auditors read but do not change', () => {
  for (const role of ['viewer', 'auditor'] as const) {
    assert.ok(can([role], 'release:read'));
    assert.ok(!can([role], 'release:create'));
    assert.ok(!can([role], 'release:transition'));
    assert.ok(!can([role], 'catalog:write'));
  }
  assert.ok(can(['auditor'], 'audit:read'));
  assert.ok(!can(['viewer'], 'audit:read'));
});

test("no role but admin manages users or other people's tokens", () => {
  for (const role of ROLES.filter((r) => r !== 'admin')) {
    assert.ok(!ROLE_PERMISSIONS[role].includes('user:manage'), role);
    assert.ok(!ROLE_PERMISSIONS[role].includes('token:manage'), role);
  }
});

test('pipelines upload evidence; only governance roles waive rules or change policy', () => {
  assert.ok(can(['deployer'], 'evidence:add'));
  assert.ok(can(['release-manager'], 'evidence:add'));
  assert.ok(!can(['viewer'], 'evidence:add'));
  for (const role of ['deployer', 'approver', 'viewer', 'auditor'] as const) {
    assert.ok(!can([role], 'waiver:grant'), role);
    assert.ok(!can([role], 'policy:write'), role);
  }
  assert.ok(can(['cab-member'], 'waiver:grant'));
  assert.ok(can(['viewer'], 'policy:read'));
  // Whoever declares a release's security surface is not who signs off its pen test.
  assert.ok(!can(['release-manager'], 'pentest:sign-off'));
});
