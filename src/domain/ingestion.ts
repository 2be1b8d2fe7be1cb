/**
 * Inbound events from the tools teams already run (CDEvents, GitHub deployment
 * webhooks), reduced to what Gatehouse records: a deployment of one service to one
 * environment moving to a status, an environment changing, or an incident being
 * detected, reported or resolved. The rules here are pure: how an artifact names a
 * version, and which of two events about the same deployment wins.
 */
import type { DeploymentStatus } from './lifecycle.js';

export type EventChannel = 'cdevents' | 'github' | CiChannel;

/** The CI systems whose webhooks are authenticated by a shared secret (issue 10, point 5). */
export type CiChannel = 'gitlab' | 'jenkins' | 'azure-devops';
export const CI_CHANNELS: readonly CiChannel[] = ['gitlab', 'jenkins', 'azure-devops'];

/** What happened to a deployment, as an inbound event said it. */
export interface DeploymentEvent {
  kind: 'deployment';
  /** Names the service might have in the catalog, the likeliest first. */
  services: string[];
  environment: string;
  /** Versions the sender says it deployed (a version, a commit, a tag), likeliest first. */
  versions: string[];
  /** The artifact reference (a package URL for CDEvents), when given. */
  artifact: string | null;
  region: string | null;
  status: DeploymentStatus;
  /**
   * Identifies the one deployment that several events describe (GitHub: the
   * deployment's id; CDEvents: service, environment and artifact), within the channel.
   * A rollback names the artifact now running, not the deployment it undid, so it has
   * no key of its own: it applies to the newest deployment of the service there.
   */
  trackingKey: string | null;
  /** When the deployment itself was created, if the sender knows it (GitHub does). */
  createdAt: string | null;
}

export interface EnvironmentEvent {
  kind: 'environment';
  action: 'created' | 'modified' | 'deleted';
  environment: string;
}

export interface IncidentEvent {
  kind: 'incident';
  action: 'detected' | 'reported' | 'resolved';
  /** The sender's own id for the incident: several events describe one incident. */
  externalId: string;
  title: string;
  /** Names the service might have in the catalog, the likeliest first. */
  services: string[];
  environment: string | null;
  severity: 1 | 2 | 3 | 4;
}

/**
 * Kept in the event log, with nothing in Gatehouse following from it: a service removed
 * from an environment, a GitHub deployment made inactive by a newer one.
 */
export interface NotedEvent {
  kind: 'noted';
  summary: string;
}

export type EventMeaning = DeploymentEvent | EnvironmentEvent | IncidentEvent | NotedEvent;

/** One inbound event, parsed, before it is matched against the catalog. */
export interface InboundEvent {
  channel: EventChannel;
  /** Unique per delivery within the channel: CloudEvents source + id; GitHub's delivery id. */
  deliveryKey: string;
  type: string;
  /** The event's own timestamp (ISO 8601 UTC): the order events are applied in. */
  occurredAt: string;
  meaning: EventMeaning;
}

export type EventOutcome =
  | 'recorded' // a new deployment or incident
  | 'updated' // an existing one moved on
  | 'stale' // older than what is already known: nothing changed
  | 'noted' // kept in the log; nothing in Gatehouse follows from it
  | 'dead-letter'; // could not be applied; kept with the reason, replayable

/** How far along a deployment status is; a later status never gives way to an earlier one. */
const PROGRESS: Record<DeploymentStatus, number> = {
  started: 0,
  partial: 1,
  succeeded: 2,
  failed: 2,
  'rolled-back': 3,
};

export function isFinal(status: DeploymentStatus): boolean {
  return status !== 'started';
}

export interface TrackedState {
  status: DeploymentStatus;
  startedAt: string;
  finishedAt: string | null;
  /** The timestamp of the newest event applied so far. */
  lastEventAt: string;
}

export type DeploymentChange =
  | { change: 'none'; reason: string }
  | {
      change: 'update';
      status: DeploymentStatus;
      startedAt: string;
      finishedAt: string | null;
      lastEventAt: string;
    };

/**
 * Applies one event to what is known of a deployment, ordering by the events' own
 * timestamps rather than by arrival: an event older than the newest applied one can only
 * move the start earlier; a non-final status never replaces a final one, whenever it
 * arrives; and between two final statuses the newer event wins (a rollback after
 * success), with the further-along status winning a tie.
 */
export function applyToTracked(
  current: TrackedState,
  status: DeploymentStatus,
  at: string,
): DeploymentChange {
  const earlierStart = at < current.startedAt ? at : current.startedAt;
  const newer =
    at > current.lastEventAt ||
    (at === current.lastEventAt && PROGRESS[status] > PROGRESS[current.status]);
  const regresses = isFinal(current.status) && !isFinal(status);
  if (!newer || regresses) {
    if (earlierStart !== current.startedAt)
      return {
        change: 'update',
        status: current.status,
        startedAt: earlierStart,
        finishedAt: current.finishedAt,
        lastEventAt: current.lastEventAt,
      };
    return {
      change: 'none',
      reason: regresses
        ? `the deployment is already ${current.status}; a '${status}' status does not move it back`
        : `an event of ${current.lastEventAt} is already applied; this one (${at}) is older`,
    };
  }
  return {
    change: 'update',
    status,
    startedAt: earlierStart,
    finishedAt: isFinal(status) ? at : null,
    lastEventAt: at,
  };
}

/** A package URL's parts that matter here: `pkg:type/namespace/name@version`. */
export interface PackageUrl {
  type: string;
  name: string;
  version: string | null;
}

/** Parses a package URL (purl), decoding percent-escapes; null when it is not one. */
export function parsePackageUrl(purl: string): PackageUrl | null {
  const match = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/([^?#]+)/.exec(purl);
  if (!match) return null;
  const [, type, rest] = match;
  const at = rest!.lastIndexOf('@');
  const path = at >= 0 ? rest!.slice(0, at) : rest!;
  const version = at >= 0 ? rest!.slice(at + 1) : null;
  const name = path.split('/').filter(Boolean).pop();
  if (!name) return null;
  try {
    return {
      type: type!.toLowerCase(),
      name: decodeURIComponent(name),
      version: version ? decodeURIComponent(version) : null,
    };
  } catch {
    return null;
  }
}

/** GitHub's deployment states, as Gatehouse's deployment statuses. */
export const GITHUB_STATES: Record<string, DeploymentStatus> = {
  pending: 'started',
  queued: 'started',
  in_progress: 'started',
  success: 'succeeded',
  failure: 'failed',
  error: 'failed',
};

/** CDEvents incident severities are free text in customData; unknown words count as 3. */
export function severityFromText(text: unknown): 1 | 2 | 3 | 4 {
  if (typeof text === 'number' && [1, 2, 3, 4].includes(text)) return text as 1 | 2 | 3 | 4;
  const word = typeof text === 'string' ? text.trim().toLowerCase() : '';
  if (['critical', 'sev1', 'p1', '1'].includes(word)) return 1;
  if (['high', 'major', 'sev2', 'p2', '2'].includes(word)) return 2;
  if (['low', 'minor', 'sev4', 'p4', '4'].includes(word)) return 4;
  return 3;
}

/** A catalog name from a sender's spelling: catalog names are lowercase slugs. */
export function catalogName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
