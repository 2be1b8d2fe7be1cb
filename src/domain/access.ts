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
  'evidence:read': 'read the evidence uploaded for a release',
  'evidence:add': 'upload CI evidence (test, coverage, analysis, SBOM reports) for a release',
  'policy:read': 'read policy sets and gate verdicts',
  'policy:write': 'apply a new version of the policy set',
  'waiver:grant': 'waive one gate rule for one release',
  'security:declare': "declare a release's security surface (external endpoints, authentication)",
  'pentest:sign-off': 'sign off the penetration test of a release',
  'calendar:write': 'define release, freeze and maintenance windows',
  'freeze:exception': 'approve an emergency release to deploy during a freeze',
  'risk:configure': 'change the risk weights',
  'review:read': 'read post-release reviews, their action items and lessons learned',
  'review:write': 'write a post-release review: sections, timeline, causes, factors, action items',
  'review:close': 'close a post-release review',
  'event:ingest': 'send deployment and incident events (CDEvents) and replay dead letters',
  'event:configure': 'set the shared secret that signs inbound webhooks',
  'deployment:import': 'import past deployments as history, not held to the production gate',
  'runbook:write': "write a release's runbook",
  'runbook:execute': 'mark runbook steps started, completed, failed or skipped',
  'approval:decide': "approve or reject a stage of a release's approvals, as its policy allows",
  'approval:escalate': 'escalate approvals waiting beyond their time limit',
  'cab:manage': 'schedule CAB meetings and choose their members',
  'cab:decide': 'decide Go, No-Go or Conditional Go on a CAB agenda item (as a member)',
  'cab:condition-met': 'mark a condition of a Conditional Go met',
  'go-no-go:record': 'record a Go / No-Go checkpoint for a release and environment',
  'hypercare:check': 'run the hypercare check of open production deployments now',
  'notification:manage': 'manage outbound webhook subscriptions and their delivery log',
  // governance (retention, access reviews, release notes, downtime notices)
  'retention:read': 'read retention rules and what a purge would remove',
  'retention:manage': 'change retention rules, delete expired records and purge them',
  'access-review:read': 'read the access-review report of roles and tokens',
  'access-review:decide': 'confirm or revoke a role or token in an access review',
  'release-notes:write': 'generate release notes and set their embargo',
  'release-notes:read-embargoed': 'read customer release notes before their embargo ends',
  'release-notes:configure': 'change the patterns stripped from customer release notes',
  'downtime:notify': "set a release's expected downtime and send downtime notices",
  'evidence:export': 'export a release’s evidence package (records, files, audit chain)',
  'controls:manage': 'edit the catalogue mapping records to compliance controls',
  'itsm:configure': 'connect ServiceNow / Jira Service Management and retry change-record syncs',
} as const;
export type Permission = keyof typeof PERMISSIONS;

const READ: Permission[] = [
  'catalog:read',
  'release:read',
  'deployment:read',
  'evidence:read',
  'policy:read',
  'incident:read',
  'metrics:read',
  'review:read',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: Object.keys(PERMISSIONS) as Permission[],
  'release-manager': [
    ...READ,
    'hypercare:check',
    'catalog:write',
    'calendar:write',
    'freeze:exception',
    'risk:configure',
    'release:create',
    'release:update',
    'release:transition',
    'deployment:record',
    'incident:record',
    'audit:read',
    'user:read',
    'token:create-own',
    'evidence:add',
    'policy:write',
    'waiver:grant',
    'security:declare',
    'review:write',
    'review:close',
    'event:ingest',
    'deployment:import',
    'runbook:write',
    'runbook:execute',
    'approval:decide',
    'cab:manage',
    'cab:condition-met',
    'go-no-go:record',
    // governance
    'retention:read',
    'release-notes:write',
    'release-notes:read-embargoed',
    'downtime:notify',
    'evidence:export',
  ],
  'cab-member': [
    ...READ,
    'freeze:exception',
    'audit:read',
    'user:read',
    'token:create-own',
    'waiver:grant',
    'pentest:sign-off',
    'review:write',
    'review:close',
    'approval:decide',
    'cab:decide',
    'cab:condition-met',
    'go-no-go:record',
  ],
  approver: [...READ, 'token:create-own', 'approval:decide'],
  deployer: [
    ...READ,
    'deployment:record',
    'release:transition',
    'token:create-own',
    'evidence:add',
    'incident:record',
    'review:write',
    'event:ingest',
    'runbook:write',
    'runbook:execute',
  ],
  auditor: [
    ...READ,
    'audit:read',
    'user:read',
    'token:create-own',
    'evidence:export',
    // governance
    'retention:read',
    'access-review:read',
  ],
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
