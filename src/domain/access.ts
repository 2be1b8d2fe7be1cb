/**
 * Roles and what each may do. Authorisation is decided here, from data, so the matrix
 * is one table a reviewer can read; the app layer asks `can()` before every use case.
 */
export const ROLES = [
  'admin',
  'release-manager',
  'cab-member',
  'approver',
  'deployer',
  'auditor',
  'viewer',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  'catalog:read': 'read teams, services and environments',
  'catalog:write': 'change teams, services and environments',
  'release:read': 'read releases',
  'release:create': 'create releases',
  'release:update': 'edit a release',
  'release:transition': 'move a release through its lifecycle',
  'deployment:read': 'read deployments',
  'deployment:record': 'record deployments',
  'incident:read': 'read incidents and what caused them',
  'incident:record': 'record incidents and link them to deployments',
  'metrics:read': 'read delivery metrics and control charts',
  'audit:read': 'read and verify the audit log',
  'user:read': 'list users and their roles',
  'user:manage': 'create users and grant or revoke roles',
  'token:create-own': 'create API tokens for oneself',
  'token:manage': 'create and revoke tokens for anyone',
} as const;
export type Permission = keyof typeof PERMISSIONS;

const READ: Permission[] = [
  'catalog:read',
  'release:read',
  'deployment:read',
  'incident:read',
  'metrics:read',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: Object.keys(PERMISSIONS) as Permission[],
  'release-manager': [
    ...READ,
    'catalog:write',
    'release:create',
    'release:update',
    'release:transition',
    'deployment:record',
    'incident:record',
    'audit:read',
    'user:read',
    'token:create-own',
  ],
  'cab-member': [...READ, 'audit:read', 'user:read', 'token:create-own'],
  approver: [...READ, 'token:create-own'],
  deployer: [
    ...READ,
    'deployment:record',
    'incident:record',
    'release:transition',
    'token:create-own',
  ],
  auditor: [...READ, 'audit:read', 'user:read', 'token:create-own'],
  viewer: [...READ, 'token:create-own'],
};

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}

/** Which roles hold a permission; used to explain a refusal. */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(permission));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
