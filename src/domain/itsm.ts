/**
 * ITSM change records: which audit entries touch a release's change request in
 * ServiceNow or Jira Service Management, and what to do when a call fails. Pure rules;
 * the sync job (src/app/itsm/) reads the audit log and calls the integrations.
 *
 * - the release enters Approve            → open the change (a new one if the last closed)
 * - approvals, CAB, Go/No-Go, deployments,
 *   rollout decisions, waivers, other moves → a work note / comment on the open change
 * - the release reaches an end state      → close the change with the outcome
 */
import type { AuditEntryForEvent } from './notification/events.js';

export const ITSM_KINDS = ['servicenow', 'jira'] as const;
export type ItsmKind = (typeof ITSM_KINDS)[number];

export type ChangeOutcome = 'successful' | 'unsuccessful' | 'cancelled';

/** Release end states and the outcome their change closes with. */
export const CLOSING_STATES: Record<string, ChangeOutcome> = {
  closed: 'successful',
  failed: 'unsuccessful',
  'rolled-back': 'unsuccessful',
  cancelled: 'cancelled',
  'no-go': 'cancelled',
};

export interface ItsmOperationPlan {
  kind: 'open' | 'update' | 'close';
  releaseKey: string;
  /** One line for a comment or work note: who did what. */
  note: string;
  outcome?: ChangeOutcome;
}

const UPDATING_PREFIXES = [
  'approval.',
  'cab.decision',
  'cab.condition',
  'go-no-go.',
  'deployment.recorded',
  'deployment.updated',
  'rollout.',
  'waiver.',
];

const fields = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/**
 * What an audit entry means for the release's change, given the release key the entry is
 * about (the notification mapping finds it) and its one-line summary. Null: nothing.
 */
export function planItsmOperation(
  entry: AuditEntryForEvent,
  releaseKey: string | undefined,
  summary: string,
): ItsmOperationPlan | null {
  if (!releaseKey) return null;
  const note = `[Gatehouse ${entry.at}] ${summary}`;
  if (entry.action === 'release.transitioned') {
    const to = fields(entry.after).state;
    if (to === 'approve') return { kind: 'open', releaseKey, note };
    if (typeof to === 'string' && to in CLOSING_STATES)
      return { kind: 'close', releaseKey, note, outcome: CLOSING_STATES[to]! };
    return { kind: 'update', releaseKey, note };
  }
  if (
    UPDATING_PREFIXES.some((p) => entry.action.startsWith(p)) &&
    !entry.action.endsWith('.refused')
  )
    return { kind: 'update', releaseKey, note };
  return null;
}

/** How one call ended, for the outbox. */
export type CallVerdict =
  | { verdict: 'done' }
  /** Try again later: 5xx, 408, 429, a timeout or a refused connection. */
  | { verdict: 'retry'; retryAfterMs: number | null }
  /** Another 4xx: the request or the configuration is wrong; retrying will not help. */
  | { verdict: 'permanent' };

export function verdictOf(
  statusCode: number | null,
  retryAfter: string | null,
  now: Date,
): CallVerdict {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { verdict: 'done' };
  if (statusCode === null || statusCode >= 500 || statusCode === 408 || statusCode === 429)
    return { verdict: 'retry', retryAfterMs: parseRetryAfter(retryAfter, now) };
  return { verdict: 'permanent' };
}

/** Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when absent or bad. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || !/[a-z]/i.test(trimmed)) return null;
  return Math.max(0, at - now.getTime());
}

/** The wait before the next attempt: the server's Retry-After when it gave one (capped), else the backoff. */
export function nextWaitMs(
  verdict: { retryAfterMs: number | null },
  backoffMs: number,
  maxMs: number,
): number {
  return verdict.retryAfterMs === null ? backoffMs : Math.min(verdict.retryAfterMs, maxMs);
}

/** A secret as reads show it: that one is set, never what it is. */
export function maskSecret(secret: string): string {
  return secret.length === 0 ? '' : '********';
}
