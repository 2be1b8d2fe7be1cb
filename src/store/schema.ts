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
  /** The environment the planned window is for (0003). */
  window_environment: string | null;
  /** JSON of the release's risk facts (0003). */
  risk_facts: string | null;
}

export interface ReleaseServiceTable {
  release_id: string;
  service_id: string;
  version: string;
  artifact: string | null;
}

/** An ended release, once per service it carried (0024): what the risk history counts. */
export interface ServiceOutcomeTable {
  service_id: string;
  release_created_at: string;
  release_id: string;
  /** 1 when the release failed or was rolled back, 0 when it closed. */
  failed: number;
}

/** Per service, how many of its releases ended and how many of those failed (0024). */
export interface ServiceOutcomeTotalTable {
  service_id: string;
  finished: number;
  failed: number;
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

export interface PolicyVersionTable {
  version: number;
  name: string;
  document: string;
  source: string;
  sha256: string;
  applied_by: string;
  applied_at: string;
}

export interface ReleasePolicyTable {
  release_id: string;
  policy_version: number;
  pinned_at: string;
}

export interface EvidenceTable {
  id: string;
  release_id: string;
  type: string;
  file_name: string;
  sha256: string;
  size: number;
  content: Uint8Array;
  facts: string;
  uploaded_by: string;
  uploaded_at: string;
}

export interface WaiverTable {
  id: string;
  release_id: string;
  rule: string;
  justification: string;
  expires_at: string;
  granted_by: string;
  granted_at: string;
}

export interface ReleaseSecurityTable {
  release_id: string;
  adds_external_endpoints: number;
  changes_authentication: number;
  pen_test_reference: string | null;
  pen_test_signed_off_by: string | null;
  pen_test_signed_off_at: string | null;
  updated_at: string;
}

export interface CanaryAnalysisTable {
  id: string;
  release_id: string;
  service: string;
  environment: string;
  judge: string;
  config: string;
  revision: number;
  actor_id: string;
  created_at: string;
  updated_at: string;
}

export interface CanarySampleTable {
  analysis_id: string;
  sample_group: 'baseline' | 'canary';
  metric: string;
  seq: number;
  value: number | null;
}

export interface CanaryVerdictTable {
  id: string;
  analysis_id: string;
  judge: string;
  outcome: string;
  decision: string;
  score: number | null;
  verdict: string;
  actor_id: string;
  judged_at: string;
}

export interface RolloutDecisionTable {
  id: string;
  release_id: string;
  environment: string;
  decision: string;
  reason: string;
  detail: string;
  actor_id: string;
  decided_at: string;
}

export interface CalendarWindowTable {
  id: string;
  name: string;
  kind: string;
  time_zone: string;
  local_start: string;
  local_end: string;
  rrule: string | null;
  scope: string;
  environments: string;
  capacity: number | null;
  description: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface FreezeExceptionTable {
  id: string;
  window_id: string;
  release_id: string;
  reason: string;
  approved_by: string;
  approved_at: string;
}

export interface ReleaseRiskTable {
  id: string;
  release_id: string;
  risk: string;
  impact: number;
  probability: number;
  owner: string;
  mitigation: string;
  created_at: string;
}

export interface RiskWeightsTable {
  version: number;
  document: string;
  created_by: string;
  created_at: string;
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

export interface ReviewTable {
  id: string;
  key: string;
  release_id: string;
  status: string;
  template: string;
  mandatory: number;
  triggers: string;
  due_at: string;
  sections: string;
  causes: string;
  factors: string;
  opened_at: string;
  closed_at: string | null;
  closed_by: string | null;
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface ReviewTimelineEntryTable {
  id: string;
  review_id: string;
  at: string;
  text: string;
  author_id: string;
  created_at: string;
}

export interface ReviewActionItemTable {
  id: string;
  review_id: string;
  position: number;
  title: string;
  owner_id: string | null;
  due_at: string | null;
  success_criteria: string;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface LessonTable {
  id: string;
  review_id: string;
  kind: string;
  text: string;
  services: string;
  factors: string;
  closed_at: string;
}

export interface LessonFtsTable {
  text: string;
  lesson_id: string;
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
  service_outcomes: ServiceOutcomeTable;
  service_outcome_totals: ServiceOutcomeTotalTable;
  release_transitions: ReleaseTransitionTable;
  deployments: DeploymentTable;
  audit_log: AuditLogTable;
  counters: CounterTable;
  policy_versions: PolicyVersionTable;
  release_policies: ReleasePolicyTable;
  evidence: EvidenceTable;
  waivers: WaiverTable;
  release_security: ReleaseSecurityTable;
  canary_analyses: CanaryAnalysisTable;
  canary_samples: CanarySampleTable;
  canary_verdicts: CanaryVerdictTable;
  rollout_decisions: RolloutDecisionTable;
  calendar_windows: CalendarWindowTable;
  freeze_exceptions: FreezeExceptionTable;
  release_risks: ReleaseRiskTable;
  risk_weights: RiskWeightsTable;
  incidents: IncidentTable;
  incident_deployments: IncidentDeploymentTable;
  reviews: ReviewTable;
  review_timeline_entries: ReviewTimelineEntryTable;
  review_action_items: ReviewActionItemTable;
  lessons: LessonTable;
  /** SQLite only: the FTS5 index over lessons.text. */
  lessons_fts: LessonFtsTable;
  cab_meetings: CabMeetingTable;
  cab_members: CabMemberTable;
  cab_decisions: CabDecisionTable;
  cab_conditions: CabConditionTable;
  go_no_go_checkpoints: GoNoGoCheckpointTable;
  // Kysely's migrator tables are its own; listed so raw checks can name them.
  kysely_migration: { name: string; timestamp: Generated<string> };
  // Inbound events (migration 0009).
  inbound_events: InboundEventTable;
  deployment_event_state: DeploymentEventStateTable;
  webhook_secrets: WebhookSecretTable;
  runbooks: RunbookTable;
  runbook_steps: RunbookStepTable;
}

export interface RunbookTable {
  release_id: string;
  contacts: string;
  revision: number;
  updated_by: string;
  created_at: string;
  updated_at: string;
}

export interface RunbookStepTable {
  release_id: string;
  section: string;
  position: number;
  title: string;
  description: string;
  owner: string | null;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  marked_by: string | null;
  note: string;
}

export interface InboundEventTable {
  id: string;
  channel: string;
  delivery_key: string;
  type: string;
  occurred_at: string;
  received_at: string;
  outcome: string;
  reason: string;
  event: string;
  deployment_id: string | null;
  incident_id: string | null;
  actor_id: string;
  actor_name: string;
  replays: number;
  updated_at: string;
}

export interface DeploymentEventStateTable {
  deployment_id: string;
  channel: string;
  tracking_key: string | null;
  last_event_at: string;
}

export interface WebhookSecretTable {
  channel: string;
  secret: string;
  set_by: string;
  set_at: string;
}

// Approvals (migration 0006). Interface merging keeps this block apart from the rest.
export interface ReleaseTable {
  /** JSON array of the user names who authored the changes the release carries. */
  authors: string;
}

export interface ApprovalTable {
  id: string;
  release_id: string;
  stage: string;
  decision: string;
  actor_id: string;
  /** The approver's comment or the rejection's reason. */
  text: string;
  content_hash: string;
  created_at: string;
}

export interface ApprovalEscalationTable {
  release_id: string;
  stage: string;
  opened_at: string;
  level: number;
  recipients: string;
  escalated_at: string;
}

export interface Database {
  approvals: ApprovalTable;
  approval_escalations: ApprovalEscalationTable;
}

export interface CabMeetingTable {
  id: string;
  name: string;
  title: string;
  time_zone: string;
  local_start: string;
  local_end: string;
  rrule: string | null;
  created_by: string;
  created_at: string;
}

export interface CabMemberTable {
  meeting_id: string;
  user_id: string;
  added_by: string;
  added_at: string;
}

export interface CabDecisionTable {
  id: string;
  meeting_id: string;
  occurrence: string;
  release_id: string;
  decision: string;
  rationale: string;
  decided_by: string;
  decided_at: string;
}

export interface CabConditionTable {
  decision_id: string;
  number: number;
  text: string;
  met_by: string | null;
  met_at: string | null;
  note: string | null;
}

export interface GoNoGoCheckpointTable {
  id: string;
  release_id: string;
  environment_id: string;
  decision: string;
  rationale: string;
  participants: string;
  readiness: string;
  recorded_by: string;
  recorded_at: string;
}

// --- hypercare (migration 0011) ---
export interface HypercareWatchTable {
  id: string;
  deployment_id: string;
  release_id: string;
  service: string;
  environment: string;
  marker_at: string;
  ends_at: string;
  status: string;
  findings: string;
  checked_at: string | null;
}

export interface Database {
  hypercare_watches: HypercareWatchTable;
}

// --- notifications and job leases (migration 0008) ---
export interface NotificationSubscriptionTable {
  id: string;
  name: string;
  url: string;
  /** JSON array of event-type globs. */
  event_types: string;
  format: string;
  secret: string;
  active: number;
  after_seq: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface NotificationCursorTable {
  name: string;
  last_seq: number;
  updated_at: string;
}

export interface NotificationDeliveryTable {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  subject: string | null;
  /** The CloudEvent as JSON text. */
  event: string;
  status: string;
  attempts: number;
  round_attempts: number;
  next_attempt_at: string | null;
  claimed_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface NotificationAttemptTable {
  id: string;
  delivery_id: string;
  number: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  outcome: string;
  retry_after_ms: number | null;
}

export interface JobLeaseTable {
  name: string;
  holder: string | null;
  lease_until: string;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_error: string | null;
  runs: number;
}

export interface Database {
  notification_subscriptions: NotificationSubscriptionTable;
  notification_cursors: NotificationCursorTable;
  notification_deliveries: NotificationDeliveryTable;
  notification_attempts: NotificationAttemptTable;
  job_leases: JobLeaseTable;
}

// Overdue notices of review action items (migration 0013).
export interface ActionItemOverdueNoticeTable {
  action_item_id: string;
  due_at: string;
  noticed_at: string;
  audit_seq: number;
}

export interface Database {
  action_item_overdue_notices: ActionItemOverdueNoticeTable;
}

// --- governance: retention, access reviews, release notes, downtime (migration 0015) ---
export interface DeploymentTable {
  /** When the deployment's log (notes) was purged under its retention rule. */
  log_purged_at: string | null;
}

export interface RetentionRuleTable {
  record_type: string;
  /** ISO 8601 duration, e.g. P7Y. */
  retention: string;
  updated_by: string;
  updated_at: string;
}

export interface AccessReviewDecisionTable {
  id: string;
  grant_kind: string;
  grant_id: string;
  decision: string;
  reason: string;
  reviewer: string;
  decided_at: string;
}

export interface ReleaseNotePatternTable {
  name: string;
  pattern: string;
  case_insensitive: number;
  description: string;
  created_by: string;
  created_at: string;
}

export interface ReleaseNotesTable {
  release_id: string;
  internal_markdown: string;
  customer_markdown: string;
  strippings: string;
  security_fix: number;
  embargo_until: string | null;
  generated_by: string;
  generated_at: string;
}

export interface ReleaseDowntimeTable {
  release_id: string;
  starts_at: string;
  ends_at: string;
  description: string;
  set_by: string;
  set_at: string;
  notices_sent_at: string | null;
}

export interface Database {
  retention_rules: RetentionRuleTable;
  access_review_decisions: AccessReviewDecisionTable;
  release_note_patterns: ReleaseNotePatternTable;
  release_notes: ReleaseNotesTable;
  release_downtimes: ReleaseDowntimeTable;
}

// --- evidence packages and control mappings (migration 0014) ---

export interface ControlMappingTable {
  version: number;
  /** JSON of the mapping: controls, each with the record types that evidence it. */
  document: string;
  sha256: string;
  created_by: string;
  created_at: string;
}

export interface Database {
  control_mappings: ControlMappingTable;
}

// ITSM change records (issue 10, point 1; migration 0016).
export interface ItsmConnectionTable {
  id: string;
  name: string;
  kind: string;
  base_url: string;
  auth: string;
  username: string | null;
  secret: string;
  settings: string;
  active: number;
  after_seq: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ItsmChangeTable {
  connection_id: string;
  release_key: string;
  external_id: string;
  number: string;
  url: string;
  state: string;
  outcome: string | null;
  opened_at: string;
  synced_at: string;
}

export interface ItsmOperationTable {
  id: string;
  connection_id: string;
  release_key: string;
  audit_seq: number;
  kind: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  done_at: string | null;
}

export interface Database {
  itsm_connections: ItsmConnectionTable;
  itsm_changes: ItsmChangeTable;
  itsm_operations: ItsmOperationTable;
}

// --- feature-flag rollout steps (migration 0017) ---
export interface FlagRolloutStepTable {
  id: string;
  release_id: string;
  flag: string;
  seq: number;
  enabled: number;
  exposure_percent: number;
  provider: string;
  observed_at: string;
  recorded_by: string;
}

export interface Database {
  flag_rollout_steps: FlagRolloutStepTable;
}

// --- the delivery metrics per group and UTC day, and the days they may be stale for (migration 0020) ---
export interface MetricDirtyDayTable {
  /** YYYY-MM-DD, or '*' for every day. */
  day: string;
  /** Changes with every marking: a refresh clears only the marks it read. */
  mark: number;
}

export interface MetricComputedDayTable {
  dimension: string;
  day: string;
}

export interface MetricDeploymentDayTable {
  dimension: string;
  day: string;
  grp: string;
  delivered: number;
  finished: number;
  failed: number;
  rework: number;
  /** Comma-separated ms. */
  lead_times: string;
  durations: string;
}

export interface MetricIncidentDayTable {
  dimension: string;
  day: string;
  grp: string;
  incidents: number;
  restores: string;
  detections: string;
}

export interface MetricReleaseDayTable {
  dimension: string;
  day: string;
  overall: number;
  grp: string;
  created: number;
  emergency: number;
  ended: number;
  closed: number;
  rollbacks: number;
  planned: number;
  on_time: number;
}

export interface Database {
  metric_dirty_days: MetricDirtyDayTable;
  metric_computed_days: MetricComputedDayTable;
  metric_deployment_days: MetricDeploymentDayTable;
  metric_incident_days: MetricIncidentDayTable;
  metric_release_days: MetricReleaseDayTable;
}
