/**
 * Escalation of approvals that wait too long. Idempotent: each level of each stage
 * opening is recorded once (table row + `approval.escalated` audit entry), however often
 * the sweep runs; the notify capability turns the audit entry into notifications. No
 * scheduler here: the caller decides when to sweep.
 */
import { dueEscalations, shortestEscalationWait } from '../../domain/approval.js';
import { selectReleases, toRelease, type ReleaseRow } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import { execute, query, type Actor, type App, type Ctx } from '../context.js';
import type { Release } from '../../domain/release.js';
import { allPolicyVersions } from '../policies/queries.js';
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

/**
 * Releases looked at per short read while the sweep looks for due escalations: each
 * costs a handful of queries, so a batch holds requests back for a few milliseconds.
 */
const SWEEP_BATCH = 10;

/**
 * The scheduled sweep. Finding what is due means judging releases waiting for approval;
 * on SQLite each query runs on the event loop, so judging hundreds of them in one
 * transaction stalled every request for as long (half a second with 1,800 waiting).
 * Only releases that have waited at least the shortest escalation any policy version
 * names are judged (nothing can be due sooner), in short reads of a few releases each,
 * letting requests in between; only releases with something due are escalated, each in
 * its own write.
 */
export async function sweepOverdueApprovals(app: App, actor: Actor): Promise<Escalation[]> {
  const waiting = await query(app, actor, async (ctx) => {
    authorize(ctx.actor, 'approval:escalate');
    const wait = shortestEscalationWait(
      (await allPolicyVersions(ctx.tx)).map((version) => version.document),
    );
    if (wait === null) return [];
    const rows = await ctx.tx
      .selectFrom('releases')
      .select('id')
      .where('state', '=', 'approve')
      .where('state_changed_at', '<=', new Date(ctx.now.getTime() - wait).toISOString())
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.id);
  });
  const withDue: string[] = [];
  for (let at = 0; at < waiting.length; at += SWEEP_BATCH) {
    const batch = waiting.slice(at, at + SWEEP_BATCH);
    withDue.push(
      ...(await query(app, actor, async (ctx) => {
        const due: string[] = [];
        for (const release of await waitingReleases(ctx, batch))
          if ((await dueFor(ctx, release)).length > 0) due.push(release.id);
        return due;
      })),
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
  const escalated: Escalation[] = [];
  for (const id of withDue)
    escalated.push(...(await execute(app, actor, (ctx) => escalateOverdueApprovals(ctx, [id]))));
  return escalated;
}

async function waitingReleases(ctx: Ctx, ids?: readonly string[]): Promise<Release[]> {
  let select = selectReleases(ctx.tx).where('releases.state', '=', 'approve');
  if (ids) select = select.where('releases.id', 'in', [...ids]);
  return ((await select.orderBy('releases.created_at').execute()) as ReleaseRow[]).map(toRelease);
}

async function dueFor(ctx: Ctx, release: Release) {
  const policy = await approvalPolicy(ctx.tx, release);
  if (!policy.stages.some((s) => s.escalation)) return [];
  const { progress } = await approvalSituation(ctx.tx, release, policy.stages, ctx.now);
  return dueEscalations(policy.stages, progress, ctx.now);
}

/**
 * Records the escalations due now, for every release waiting for approval or only the
 * ones named, in the caller's transaction.
 */
export async function escalateOverdueApprovals(
  ctx: Ctx,
  releaseIds?: readonly string[],
): Promise<Escalation[]> {
  authorize(ctx.actor, 'approval:escalate');
  const { tx } = ctx;
  if (releaseIds?.length === 0) return [];
  const escalated: Escalation[] = [];
  for (const release of await waitingReleases(ctx, releaseIds)) {
    const due = await dueFor(ctx, release);
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
