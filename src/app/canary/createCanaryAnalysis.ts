import { randomUUID } from 'node:crypto';
import type { CanaryAnalysis, CreateCanaryAnalysisInput } from '../../domain/canary/analysis.js';
import { parseCanaryConfig } from '../../domain/canary/config.js';
import { GatehouseError, notFound, type FieldProblem } from '../../domain/errors.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

/** Config problems are named where they sit in the request body. */
function parseConfigField(config: unknown) {
  try {
    return parseCanaryConfig(config);
  } catch (error) {
    if (!(error instanceof GatehouseError)) throw error;
    const problems = error.problems.map((p) => ({
      ...p,
      field: `/config${p.field === '/' ? '' : p.field}`,
    }));
    throwIfProblems(problems, 'invalid-canary-config');
    throw error;
  }
}

export async function createCanaryAnalysis(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: CreateCanaryAnalysisInput,
): Promise<CanaryAnalysis> {
  authorize(ctx.actor, 'deployment:record');
  const { tx } = ctx;
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const config = parseConfigField(input.config);
  const problems: FieldProblem[] = [];
  if (!release.services.some((s) => s.service === input.service))
    problems.push({
      field: '/service',
      reason: `${release.key} does not carry service '${input.service}'`,
    });
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
  throwIfProblems(problems, 'invalid-canary-analysis');

  const id = randomUUID();
  const now = ctx.now.toISOString();
  await tx
    .insertInto('canary_analyses')
    .values({
      id,
      release_id: release.id,
      service: input.service,
      environment: input.environment,
      judge: input.judge,
      config: JSON.stringify(config),
      revision: 1,
      actor_id: ctx.actor.userId,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const analysis: CanaryAnalysis = {
    id,
    release: release.key,
    service: input.service,
    environment: input.environment,
    judge: input.judge,
    config,
    samples: { baseline: {}, canary: {} },
    createdAt: now,
    actor: ctx.actor.name,
  };
  await recordAudit(ctx, {
    action: 'canary-analysis.created',
    subjectType: 'canary-analysis',
    subjectId: id,
    after: analysis,
  });
  return analysis;
}
