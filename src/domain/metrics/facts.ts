/**
 * The facts the delivery metrics are computed from, one row per production deployment,
 * incident and release, each already labelled with the group (team, service,
 * environment or release class) it is reported under. The store gathers them; the
 * metrics are pure functions of them, so a test can hand them in directly.
 */
export interface DeploymentFact {
  group: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  /** When the release carrying this change was raised: the start of its lead time. */
  releaseCreatedAt: string;
  /** An incident names this deployment as a cause. */
  causedIncident: boolean;
  /** The release is an emergency change: unplanned work to fix production. */
  emergency: boolean;
}

export interface IncidentFact {
  group: string;
  severity: number;
  startedAt: string;
  detectedAt: string;
  resolvedAt: string | null;
}

export interface ReleaseFact {
  /** A release may sit in several groups (one per service it carries); counted once overall. */
  id: string;
  group: string;
  createdAt: string;
  state: string;
  /** When it entered its current state; for an ended release, when it ended. */
  stateChangedAt: string;
  emergency: boolean;
  windowEnd: string | null;
  /** When its last successful production deployment finished, if any. */
  deliveredAt: string | null;
}

export interface MetricFacts {
  deployments: DeploymentFact[];
  incidents: IncidentFact[];
  releases: ReleaseFact[];
}

/** Deployment statuses that mean the change itself failed in production. */
export const FAILED_DEPLOYMENT_STATUSES = ['failed', 'rolled-back'] as const;
export const ENDED_RELEASE_STATES = ['closed', 'failed', 'rolled-back'] as const;
