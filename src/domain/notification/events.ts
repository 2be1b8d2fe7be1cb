/**
 * Which audit entries become notifications, and how: each action a person cares about
 * maps to a CloudEvents 1.0 event. The event id is the audit entry's sequence number, so
 * a receiver that sees the same id twice knows it is a redelivery.
 *
 * New use cases join by adding a row to `NOTIFIED_ACTIONS` (for a tailored summary) or
 * need nothing at all: any action under a prefix in `NOTIFIED_PREFIXES` goes out with a
 * generic summary.
 */

export const EVENT_TYPE_PREFIX = 'dev.gatehouse.';

/** The audit entry as the dispatcher reads it. */
export interface AuditEntryForEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before: unknown;
  after: unknown;
  hash: string;
}

/** A CloudEvents 1.0 event in structured JSON form. */
export interface GatehouseEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  data: {
    summary: string;
    action: string;
    actor: string;
    subjectType: string;
    subjectId: string;
    before: unknown;
    after: unknown;
    auditSeq: number;
    auditHash: string;
  };
}

type Fields = Record<string, unknown>;
const fields = (value: unknown): Fields =>
  value !== null && typeof value === 'object' ? (value as Fields) : {};
const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

interface ActionRule {
  /** One line a person reads in Slack or a mail client. */
  summary: (entry: AuditEntryForEvent) => string;
  /** The release key the event is about, where the audit subject is something else. */
  subject?: (entry: AuditEntryForEvent) => string | undefined;
}

const subjectIsRelease = (e: AuditEntryForEvent) =>
  e.subjectType === 'release' ? e.subjectId : undefined;

/** Actions with a summary of their own. Keep the keys sorted. */
export const NOTIFIED_ACTIONS: Readonly<Record<string, ActionRule>> = {
  'approval.escalated': {
    summary: (e) =>
      `Approval of ${e.subjectId} escalated${
        text(fields(e.after).level) ? ` to ${text(fields(e.after).level)}` : ''
      }`,
  },
  'approval.given': {
    summary: (e) =>
      `${e.actor} approved ${e.subjectId}${
        text(fields(e.after).stage) ? ` (${text(fields(e.after).stage)})` : ''
      }`,
  },
  'approval.rejected': {
    summary: (e) =>
      `${e.actor} rejected ${e.subjectId}${
        text(fields(e.after).reason) ? `: ${text(fields(e.after).reason)}` : ''
      }`,
  },
  'cab.decision.recorded': {
    summary: (e) =>
      `CAB decision on ${e.subjectId}: ${text(fields(e.after).decision) ?? 'recorded'}`,
  },
  'calendar.freeze-exception-approved': {
    summary: (e) => `${e.actor} let ${e.subjectId} deploy during a freeze`,
  },
  'canary-analysis.judged': {
    summary: (e) =>
      `Canary analysis ${e.subjectId} judged: ${text(fields(e.after).verdict) ?? 'see the verdict'}`,
  },
  'deployment.recorded': {
    summary: (e) => {
      const d = fields(e.after);
      return `${text(d.service) ?? 'A service'} ${text(d.status) ?? 'recorded'} in ${
        text(d.environment) ?? 'an environment'
      } for ${text(d.release) ?? 'a release'}`;
    },
    subject: (e) => text(fields(e.after).release),
  },
  'downtime.notice': {
    summary: (e) => {
      const n = fields(e.after);
      const services = Array.isArray(n.services) ? n.services.map(String).join(', ') : '';
      return `Downtime for ${e.subjectId} affects ${services || 'your services'} (team ${
        text(n.team) ?? '?'
      }): ${text(n.localWindow) ?? `${text(n.start) ?? '?'} – ${text(n.end) ?? '?'}`}`;
    },
  },
  'go-no-go.recorded': {
    summary: (e) =>
      `Go / No-Go for ${e.subjectId}: ${text(fields(e.after).decision) ?? 'recorded'}`,
  },
  'incident.recorded': {
    summary: (e) => {
      const i = fields(e.after);
      return `Incident ${text(i.key) ?? e.subjectId} (severity ${text(i.severity) ?? '?'}) on ${
        text(i.service) ?? 'a service'
      }: ${text(i.title) ?? ''}`.trim();
    },
    subject: (e) => text(fields(e.after).key) ?? e.subjectId,
  },
  'release.created': {
    summary: (e) => `${e.actor} raised ${e.subjectId}: ${text(fields(e.after).title) ?? ''}`.trim(),
  },
  'release.transitioned': {
    summary: (e) => {
      const from = text(fields(e.before).state) ?? '?';
      const to = text(fields(e.after).state) ?? '?';
      const reason = text(fields(e.after).reason);
      return `${e.subjectId} moved from ${from} to ${to} by ${e.actor}${reason ? `: ${reason}` : ''}`;
    },
  },
  'review.action-item.overdue': {
    summary: (e) => {
      const a = fields(e.after);
      return `Action item "${text(a.title) ?? e.subjectId}" from ${text(a.review) ?? 'a review'} is overdue (due ${
        text(a.dueAt) ?? '?'
      })${text(a.owner) ? `; owner ${text(a.owner)}` : '; it has no owner'}`;
    },
    subject: (e) => text(fields(e.after).release),
  },
  'rollout.decided': {
    summary: (e) => {
      const d = fields(e.after);
      return `Rollout of ${e.subjectId}: ${text(d.decision) ?? 'decided'}${
        text(d.reason) ? ` (${text(d.reason)})` : ''
      }`;
    },
  },
  'waiver.granted': {
    summary: (e) =>
      `${e.actor} waived ${text(fields(e.after).rule) ?? 'a gate rule'} for ${e.subjectId} until ${
        text(fields(e.after).expiresAt) ?? '?'
      }`,
  },
};

/**
 * Whole families a person cares about. An action here without a row above still goes
 * out, with a generic summary. Catalog, token, user and notification actions are left
 * out on purpose: they are administration, and `notification.*` would feed on itself.
 */
export const NOTIFIED_PREFIXES: readonly string[] = [
  'approval.',
  'cab.',
  'deployment.',
  'downtime.',
  'go-no-go.',
  'hypercare.',
  'incident.',
  'release.',
  'review.',
  'rollout.',
  'waiver.',
];

export function isNotified(action: string): boolean {
  return action in NOTIFIED_ACTIONS || NOTIFIED_PREFIXES.some((p) => action.startsWith(p));
}

export function eventTypeOf(action: string): string {
  return EVENT_TYPE_PREFIX + action;
}

function genericSummary(e: AuditEntryForEvent): string {
  return `${e.action} on ${e.subjectType} ${e.subjectId} by ${e.actor}`;
}

/** The event for an audit entry, or null when nobody is notified of that action. */
export function toEvent(entry: AuditEntryForEvent, source: string): GatehouseEvent | null {
  if (!isNotified(entry.action)) return null;
  const rule = NOTIFIED_ACTIONS[entry.action];
  const subject = rule?.subject?.(entry) ?? subjectIsRelease(entry) ?? entry.subjectId;
  return {
    specversion: '1.0',
    id: String(entry.seq),
    source,
    type: eventTypeOf(entry.action),
    ...(subject ? { subject } : {}),
    time: entry.at,
    datacontenttype: 'application/json',
    data: {
      summary: (rule?.summary ?? genericSummary)(entry),
      action: entry.action,
      actor: entry.actor,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      before: entry.before,
      after: entry.after,
      auditSeq: entry.seq,
      auditHash: entry.hash,
    },
  };
}
