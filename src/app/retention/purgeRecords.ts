/**
 * Deleting records, only once their retention period is over. The audit log is never
 * touched: a purge appends one entry that lists each removed record with the SHA-256 of
 * its canonical content, so the chain stays verifiable and a copy kept elsewhere can
 * still be proven to be the record that was here (docs/retention.md, ADR 1400).
 */
import { createHash } from 'node:crypto';
import { DateTime, Duration } from 'luxon';
import { canonicalJson } from '../../domain/audit-chain.js';
import { GatehouseError, conflict, notFound } from '../../domain/errors.js';
import {
  RECORD_TYPES,
  isUnderRetention,
  retainedUntil,
  type PurgeInput,
  type RecordType,
} from '../../domain/retention.js';
import { purgeRecords, retainedRecords, type RetainedRecord } from '../../store/retention.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { loadRetentionRules } from './retentionRules.js';

/** Records per type one purge removes; a larger backlog takes several runs. */
export const PURGE_BATCH = 1000;

export interface PurgedRecord {
  id: string;
  from: string;
  retainedUntil: string;
  sha256: string;
}

export interface PurgeReport {
  applied: boolean;
  at: string;
  types: Array<{
    recordType: RecordType;
    retention: string;
    purge: 'delete' | 'blank-log';
    count: number;
    /** True when more expired records remain than one run removes. */
    more: boolean;
    records: PurgedRecord[];
  }>;
  auditSeq: number | null;
}

const fingerprint = (record: RetainedRecord) =>
  createHash('sha256').update(canonicalJson(record.content)).digest('hex');

export async function purgeExpired(ctx: Ctx, input: PurgeInput): Promise<PurgeReport> {
  authorize(ctx.actor, input.apply ? 'retention:manage' : 'retention:read');
  const rules = await loadRetentionRules(ctx.tx);
  const now = ctx.now.toISOString();
  const report: PurgeReport = { applied: input.apply, at: now, types: [], auditSeq: null };
  for (const type of input.recordTypes ?? RECORD_TYPES) {
    const rule = rules.get(type)!;
    // A coarse bound in SQL (two days of slack for calendar arithmetic), exact in code.
    const before = DateTime.fromJSDate(ctx.now, { zone: 'utc' })
      .minus(Duration.fromISO(rule.retention))
      .plus({ days: 2 })
      .toISO()!;
    const candidates = await retainedRecords(ctx.tx, type, { before, limit: PURGE_BATCH + 1 });
    const expired = candidates
      .slice(0, PURGE_BATCH)
      .filter((r) => !isUnderRetention(r.from, rule.retention, ctx.now));
    const records = expired.map((r) => ({
      id: r.id,
      from: r.from,
      retainedUntil: retainedUntil(r.from, rule.retention),
      sha256: fingerprint(r),
    }));
    if (input.apply)
      await purgeRecords(
        ctx.tx,
        type,
        records.map((r) => r.id),
        now,
      );
    report.types.push({
      recordType: type,
      retention: rule.retention,
      purge: rule.purge,
      count: records.length,
      more: candidates.length > PURGE_BATCH,
      records,
    });
  }
  if (input.apply) {
    const entry = await recordAudit(ctx, {
      action: 'retention.purged',
      subjectType: 'retention',
      subjectId: 'purge',
      after: {
        types: report.types.map((t) => ({
          recordType: t.recordType,
          retention: t.retention,
          purge: t.purge,
          count: t.count,
          records: t.records,
        })),
      },
    });
    report.auditSeq = entry.seq;
  }
  return report;
}

/** Deletes one record, refused while its retention rule still protects it. */
export async function deleteRetainedRecord(
  ctx: Ctx,
  type: RecordType,
  id: string,
): Promise<PurgedRecord & { recordType: RecordType }> {
  authorize(ctx.actor, 'retention:manage');
  const rule = (await loadRetentionRules(ctx.tx)).get(type)!;
  const [record] = await retainedRecords(ctx.tx, type, { id, limit: 1 });
  if (!record) throw notFound(type.replace(/s$/, ''), id);
  const until = retainedUntil(record.from, rule.retention);
  if (isUnderRetention(record.from, rule.retention, ctx.now))
    throw new GatehouseError(
      'conflict',
      'under-retention',
      `${type} record ${id} is under retention until ${until} (rule: ${type} kept ${rule.retention} ` +
        `from ${rule.countedFrom}) and cannot be deleted before then`,
      { extra: { recordType: type, retention: rule.retention, retainedUntil: until } },
    );
  if (type === 'deployment-logs' && record.content.purgedAt)
    throw conflict(
      'already-purged',
      `the log of deployment ${id} was purged at ${String(record.content.purgedAt)}`,
    );
  const purged = { id, from: record.from, retainedUntil: until, sha256: fingerprint(record) };
  await purgeRecords(ctx.tx, type, [id], ctx.now.toISOString());
  await recordAudit(ctx, {
    action: 'retention.record-deleted',
    subjectType: type,
    subjectId: id,
    after: { retention: rule.retention, ...purged },
  });
  return { recordType: type, ...purged };
}
