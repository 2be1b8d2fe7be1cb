/** Retention rules: the defaults, overridden per record type by an admin (audited). */
import { invalid } from '../../domain/errors.js';
import {
  RECORD_TYPE_INFO,
  RECORD_TYPES,
  retentionProblem,
  type RecordType,
  type SetRetentionRuleInput,
} from '../../domain/retention.js';
import type { Tx } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface RetentionRule {
  recordType: RecordType;
  description: string;
  countedFrom: string;
  purge: 'delete' | 'blank-log';
  retention: string;
  isDefault: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}

export async function loadRetentionRules(tx: Tx): Promise<Map<RecordType, RetentionRule>> {
  const rows = await tx.selectFrom('retention_rules').selectAll().execute();
  const set = new Map(rows.map((r) => [r.record_type, r]));
  const rules = new Map<RecordType, RetentionRule>();
  for (const type of RECORD_TYPES) {
    const info = RECORD_TYPE_INFO[type];
    const row = set.get(type);
    rules.set(type, {
      recordType: type,
      description: info.description,
      countedFrom: info.countedFrom,
      purge: info.purge,
      retention: row?.retention ?? info.defaultRetention,
      isDefault: !row,
      updatedBy: row?.updated_by ?? null,
      updatedAt: row?.updated_at ?? null,
    });
  }
  return rules;
}

export async function listRetentionRules(ctx: Ctx): Promise<RetentionRule[]> {
  authorize(ctx.actor, 'retention:read');
  return [...(await loadRetentionRules(ctx.tx)).values()];
}

export async function setRetentionRule(
  ctx: Ctx,
  recordType: RecordType,
  input: SetRetentionRuleInput,
): Promise<RetentionRule> {
  authorize(ctx.actor, 'retention:manage');
  const problem = retentionProblem(input.retention);
  if (problem) throw invalid('/retention', problem, 'invalid-retention');
  const before = (await loadRetentionRules(ctx.tx)).get(recordType)!;
  const now = ctx.now.toISOString();
  await ctx.tx
    .insertInto('retention_rules')
    .values({
      record_type: recordType,
      retention: input.retention,
      updated_by: ctx.actor.name,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column('record_type')
        .doUpdateSet({ retention: input.retention, updated_by: ctx.actor.name, updated_at: now }),
    )
    .execute();
  const after = (await loadRetentionRules(ctx.tx)).get(recordType)!;
  await recordAudit(ctx, {
    action: 'retention.rule-changed',
    subjectType: 'retention-rule',
    subjectId: recordType,
    before: { retention: before.retention, isDefault: before.isDefault },
    after: { retention: after.retention },
  });
  return after;
}
