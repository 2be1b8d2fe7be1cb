/**
 * Retention: how long each kind of record must be kept, and until when a given record
 * is therefore protected. Durations are ISO 8601 (P7Y, P90D) counted from the instant
 * the record describes, in UTC calendar terms (P7Y from 29 February ends on 28 February).
 * The audit log is not a record type here: it is kept for ever (docs/retention.md).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Duration } from 'luxon';
import { StrictObject, StringEnum } from './schema-kit.js';

export const RECORD_TYPES = [
  'deployment-logs',
  'approvals',
  'evidence-files',
  'notification-deliveries',
  'ingestion-dead-letters',
] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface RecordTypeInfo {
  description: string;
  /** What the retention period is counted from. */
  countedFrom: string;
  defaultRetention: string;
  /** What a purge does to an expired record. */
  purge: 'delete' | 'blank-log';
}

export const RECORD_TYPE_INFO: Readonly<Record<RecordType, RecordTypeInfo>> = {
  'deployment-logs': {
    description: 'deployment records and their logs',
    countedFrom: 'when the deployment finished (or started, if it never finished)',
    defaultRetention: 'P7Y',
    purge: 'blank-log',
  },
  approvals: {
    description: 'approval and rejection decisions on releases',
    countedFrom: 'when the decision was recorded',
    defaultRetention: 'P7Y',
    purge: 'delete',
  },
  'evidence-files': {
    description: 'CI reports uploaded as evidence (tests, coverage, scans, SBOMs)',
    countedFrom: 'when the file was uploaded',
    defaultRetention: 'P3Y',
    purge: 'delete',
  },
  'notification-deliveries': {
    description: 'outbound webhook deliveries and their attempts',
    countedFrom: 'when the delivery was queued',
    defaultRetention: 'P90D',
    purge: 'delete',
  },
  'ingestion-dead-letters': {
    description: 'inbound events that could not be applied',
    countedFrom: 'when the event was received',
    defaultRetention: 'P30D',
    purge: 'delete',
  },
};

export function isRecordType(value: string): value is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(value);
}

/** The shortest and longest periods an admin may set: a day, and a century. */
const MIN_DAYS = 1;
const MAX_DAYS = 36_525;

/** Why a retention duration is unacceptable, or null when it is fine. */
export function retentionProblem(iso: string): string | null {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) return `'${iso}' is not an ISO 8601 duration such as P7Y, P18M or P90D`;
  const reference = DateTime.fromISO('2000-01-01T00:00:00Z', { zone: 'utc' });
  const days = reference.plus(duration).diff(reference, 'days').days;
  if (!Number.isFinite(days) || days > MAX_DAYS) return `'${iso}' is longer than a hundred years`;
  if (!(days >= MIN_DAYS)) return `'${iso}' is shorter than one day`;
  return null;
}

/** The instant until which a record from `from` is under a rule of `retention`. */
export function retainedUntil(from: string, retention: string): string {
  return DateTime.fromISO(from, { zone: 'utc' })
    .plus(Duration.fromISO(retention))
    .toUTC()
    .toISO({ suppressMilliseconds: false })!;
}

export function isUnderRetention(from: string, retention: string, now: Date): boolean {
  return Date.parse(retainedUntil(from, retention)) > now.getTime();
}

export const SetRetentionRuleInput = StrictObject({
  retention: Type.String({
    minLength: 2,
    maxLength: 40,
    description: 'ISO 8601 duration, e.g. P7Y, P18M, P90D',
  }),
});
export type SetRetentionRuleInput = Static<typeof SetRetentionRuleInput>;

export const PurgeInput = StrictObject({
  apply: Type.Boolean({ description: 'false: only report what would go (a dry run)' }),
  recordTypes: Type.Optional(Type.Array(StringEnum(RECORD_TYPES), { minItems: 1, maxItems: 5 })),
});
export type PurgeInput = Static<typeof PurgeInput>;
