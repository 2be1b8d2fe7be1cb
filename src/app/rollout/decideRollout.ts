import { randomUUID } from 'node:crypto';
import type { CanaryJudgement } from '../../domain/canary/judgement.js';
import { notFound, type FieldProblem } from '../../domain/errors.js';
import { decideRollout } from '../../domain/rollout/rollout-decision.js';
import type {
  RecordedRolloutDecision,
  RolloutDecisionRequest,
} from '../../domain/rollout/rollout-request.js';
import { dependencyEdges } from '../../store/catalog.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

/**
 * Decides a staged rollout's next move and records it with its evidence (and in the
 * audit chain), so "why did we roll back at 25 %?" has one answer afterwards.
 */
export async function recordRolloutDecision(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: RolloutDecisionRequest,
): Promise<RecordedRolloutDecision> {
  authorize(ctx.actor, 'deployment:record');
  const { tx } = ctx;
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const problems: FieldProblem[] = [];
  const environment = await tx
    .selectFrom('environments')
    .select('id')
    .where('name', '=', input.environment)
    .executeTakeFirst();
  if (!environment)
    problems.push({
      field: '/environment',
      reason: `environment '${input.environment}' does not exist`,
    });
  const { steps, current } = input.rollout;
  if (current >= steps.length)
    problems.push({ field: '/rollout/current', reason: `there are only ${steps.length} steps` });
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!))
    problems.push({
      field: '/rollout/steps',
      reason: 'steps must rise strictly, e.g. [5, 25, 100]',
    });
  let canary: CanaryJudgement | undefined;
  if (input.canaryVerdict) {
    const row = await tx
      .selectFrom('canary_verdicts')
      .innerJoin('canary_analyses', 'canary_analyses.id', 'canary_verdicts.analysis_id')
      .select(['canary_verdicts.verdict', 'canary_analyses.release_id'])
      .where('canary_verdicts.id', '=', input.canaryVerdict)
      .executeTakeFirst();
    if (!row || row.release_id !== release.id)
      problems.push({
        field: '/canaryVerdict',
        reason: `no canary verdict ${input.canaryVerdict} on ${release.key}`,
      });
    else canary = JSON.parse(row.verdict) as CanaryJudgement;
  }
  throwIfProblems(problems, 'invalid-rollout-decision');

  const services = release.services.map((s) => s.service);
  const decision = decideRollout({
    rollout: input.rollout,
    baseline: input.baseline,
    observations: input.observations,
    now: ctx.now.toISOString(),
    ...(input.criteria ? { criteria: input.criteria } : {}),
    ...(canary ? { canary } : {}),
    services: { names: services, edges: await dependencyEdges(tx) },
  });
  const id = randomUUID();
  const decidedAt = ctx.now.toISOString();
  await tx
    .insertInto('rollout_decisions')
    .values({
      id,
      release_id: release.id,
      environment: input.environment,
      decision: decision.decision,
      reason: decision.reason,
      detail: JSON.stringify(decision),
      actor_id: ctx.actor.userId,
      decided_at: decidedAt,
    })
    .execute();
  const recorded: RecordedRolloutDecision = {
    id,
    release: release.key,
    environment: input.environment,
    decidedAt,
    actor: ctx.actor.name,
    ...decision,
  };
  await recordAudit(ctx, {
    action: 'rollout.decided',
    subjectType: 'release',
    subjectId: release.key,
    after: { decisionId: id, ...decision },
  });
  return recorded;
}

export async function listRolloutDecisions(
  ctx: Ctx,
  releaseIdOrKey: string,
): Promise<RecordedRolloutDecision[]> {
  authorize(ctx.actor, 'deployment:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const rows = await ctx.tx
    .selectFrom('rollout_decisions')
    .innerJoin('users', 'users.id', 'rollout_decisions.actor_id')
    .select([
      'rollout_decisions.id',
      'rollout_decisions.environment',
      'rollout_decisions.detail',
      'rollout_decisions.decided_at',
      'users.name as actor',
    ])
    .where('release_id', '=', release.id)
    .orderBy('decided_at')
    .orderBy('rollout_decisions.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    release: release.key,
    environment: r.environment,
    decidedAt: r.decided_at,
    actor: r.actor,
    ...(JSON.parse(r.detail) as Omit<
      RecordedRolloutDecision,
      'id' | 'release' | 'environment' | 'decidedAt' | 'actor'
    >),
  }));
}
