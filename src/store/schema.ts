/**
 * The tables as Kysely sees them. One schema for both engines: instants are ISO 8601
 * UTC text (sortable, identical on SQLite and PostgreSQL), structured values are JSON
 * text, booleans are 0/1 integers (ADR 0002).
 */
import type { Generated } from 'kysely';

export interface TeamTable {
  id: string;
  name: string;
  display_name: string;
  time_zone: string | null;
  created_at: string;
  updated_at: string;
}

export interface ServiceTable {
  id: string;
  name: string;
  team_id: string;
  tier: number;
  customer_facing: number;
  data_sensitivity: string;
  description: string;
  slos: string;
  created_at: string;
  updated_at: string;
}

export interface ServiceDependencyTable {
  service_id: string;
  depends_on_id: string;
}

export interface EnvironmentTable {
  id: string;
  name: string;
  display_name: string;
  position: number;
  production: number;
  regions: string;
  capacity: number | null;
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  name: string;
  display_name: string;
  email: string | null;
  team_id: string | null;
  created_at: string;
  disabled_at: string | null;
}

export interface UserRoleTable {
  user_id: string;
  role: string;
  granted_at: string;
  granted_by: string;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ReleaseTable {
  id: string;
  key: string;
  title: string;
  version: string;
  state: string;
  classification: string;
  change_type: string;
  strategy: string;
  scope: string;
  justification: string;
  rollback_plan: string;
  window_start: string | null;
  window_end: string | null;
  team_id: string | null;
  requester_id: string;
  revision: number;
  created_at: string;
  updated_at: string;
  state_changed_at: string;
}

export interface ReleaseServiceTable {
  release_id: string;
  service_id: string;
  version: string;
  artifact: string | null;
}

export interface ReleaseTransitionTable {
  id: string;
  release_id: string;
  from_state: string;
  to_state: string;
  actor_id: string;
  reason: string | null;
  at: string;
}

export interface DeploymentTable {
  id: string;
  release_id: string;
  service_id: string;
  environment_id: string;
  region: string | null;
  status: string;
  started_at: string;
  finished_at: string | null;
  actor_id: string;
  notes: string;
  created_at: string;
  updated_at: string;
}

export interface IncidentTable {
  id: string;
  key: string;
  title: string;
  severity: number;
  service_id: string;
  started_at: string;
  detected_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  source: string;
  external_id: string | null;
  reporter_id: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface IncidentDeploymentTable {
  incident_id: string;
  deployment_id: string;
  reason: string;
  linked_by: string;
  linked_at: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface Database {
  teams: TeamTable;
  services: ServiceTable;
  service_dependencies: ServiceDependencyTable;
  environments: EnvironmentTable;
  users: UserTable;
  user_roles: UserRoleTable;
  api_tokens: ApiTokenTable;
  releases: ReleaseTable;
  release_services: ReleaseServiceTable;
  release_transitions: ReleaseTransitionTable;
  deployments: DeploymentTable;
  incidents: IncidentTable;
  incident_deployments: IncidentDeploymentTable;
  audit_log: AuditLogTable;
  counters: CounterTable;
  // Kysely's migrator tables are its own; listed so raw checks can name them.
  kysely_migration: { name: string; timestamp: Generated<string> };
}
