/**
 * Escalation of approvals that wait too long. Idempotent: each level of each stage
 * opening is recorded once (table row + `approval.escalated` audit entry), however often
 * the sweep runs; the notify capability turns the audit entry into notifications. No
 * scheduler here: the caller decides when to sweep.
 */
import { dueEscalations } from '../../domain/approval.js';
import { selectReleases, toRelease, type ReleaseRow } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { approvalPolicy, approvalSituation } from './approvalSituation.js';

export interface Escalation {
  release: string;
  stage: string;
  level: number;
  to: string[];
  openedAt: string;
  after: string;
  escalatedAt: string;
}

export async function escalateOverdueApprovals(ctx: Ctx): Promise<Escalation[]> {
  authorize(ctx.actor, 'approval:escalate');
  const { tx } = ctx;
  const rows = (await selectReleases(tx)
    .where('releases.state', '=', 'approve')
    .orderBy('releases.created_at')
    .execute()) as ReleaseRow[];
  const escalated: Escalation[] = [];
  for (const release of rows.map(toRelease)) {
    const policy = await approvalPolicy(tx, release);
    if (!policy.stages.some((s) => s.escalation)) continue;
    const { progress } = await approvalSituation(tx, release, policy.stages, ctx.now);
    const due = dueEscalations(policy.stages, progress, ctx.now);
    if (due.length === 0) continue;
    const done = await tx
      .selectFrom('approval_escalations')
      .select(['stage', 'opened_at', 'level'])
      .where('release_id', '=', release.id)
      .execute();
    const recorded = new Set(done.map((d) => `${d.stage}|${d.opened_at}|${d.level}`));
    for (const d of due) {
      if (recorded.has(`${d.stage}|${d.openedAt}|${d.level}`)) continue;
      const escalation: Escalation = {
        release: release.key,
        stage: d.stage,
        level: d.level,
        to: d.to,
        openedAt: d.openedAt,
        after: d.after,
        escalatedAt: ctx.now.toISOString(),
      };
      await tx
        .insertInto('approval_escalations')
        .values({
          release_id: release.id,
          stage: d.stage,
          opened_at: d.openedAt,
          level: d.level,
          recipients: JSON.stringify(d.to),
          escalated_at: escalation.escalatedAt,
        })
        .execute();
      await recordAudit(ctx, {
        action: 'approval.escalated',
        subjectType: 'release',
        subjectId: release.key,
        after: escalation,
      });
      escalated.push(escalation);
    }
  }
  return escalated;
}
