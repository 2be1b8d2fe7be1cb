import { randomUUID } from 'node:crypto';
import type { Deployment, RecordDeploymentInput } from '../../domain/deployment.js';
import { GatehouseError, notFound, type FieldProblem } from '../../domain/errors.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import { loadRelease } from '../../store/releases.js';
import { assertMayRecordProductionDeployment } from '../approvals/segregationOfDuties.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems, toUtc } from '../releases/releaseContent.js';
import { checkGate } from '../gates/checkGate.js';
import { openHypercareWatch } from '../hypercare/openHypercareWatch.js';

export async function recordDeployment(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: RecordDeploymentInput,
  options: {
    /**
     * The caller is Gatehouse itself replaying history it owns (the demo loader): the
     * people it acts for need not hold deployment:import. Never set from a request.
     */
    trustedHistory?: boolean;
  } = {},
): Promise<Deployment> {
  authorize(ctx.actor, 'deployment:record');
  const { tx } = ctx;
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const problems: FieldProblem[] = [];
  const service = await tx
    .selectFrom('services')
    .select(['id', 'name'])
    .where('name', '=', input.service)
    .executeTakeFirst();
  if (!release.services.some((s) => s.service === input.service)) {
    problems.push({
      field: '/service',
      reason: `${release.key} does not carry service '${input.service}'`,
    });
  }
  const environment = await tx
    .selectFrom('environments')
    .select(['id', 'name', 'regions', 'production'])
    .where('name', '=', input.environment)
    .executeTakeFirst();
  if (environment) assertMayRecordProductionDeployment(ctx.actor, release, environment);
  if (!environment)
    problems.push({
      field: '/environment',
      reason: `environment '${input.environment}' does not exist`,
    });
  else if (input.region && !(JSON.parse(environment.regions) as string[]).includes(input.region)) {
    problems.push({
      field: '/region',
      reason: `environment '${input.environment}' has no region '${input.region}'`,
    });
  }
  const startedAt = input.startedAt ? toUtc(input.startedAt) : ctx.now.toISOString();
  const finishedAt = input.finishedAt
    ? toUtc(input.finishedAt)
    : input.status === 'started'
      ? null
      : ctx.now.toISOString();
  if (finishedAt && finishedAt < startedAt)
    problems.push({
      field: '/finishedAt',
      reason: `a deployment cannot finish before it starts (${startedAt})`,
    });
  throwIfProblems(problems, 'invalid-deployment');
  if (input.historyImport) {
    if (!options.trustedHistory) authorize(ctx.actor, 'deployment:import');
  } else if (environment!.production === 1) await refuseUnlessGatePasses(ctx, release.key, input);

  const id = randomUUID();
  const now = ctx.now.toISOString();
  await tx
    .insertInto('deployments')
    .values({
      id,
      release_id: release.id,
      service_id: service!.id,
      environment_id: environment!.id,
      region: input.region ?? null,
      status: input.status,
      started_at: startedAt,
      finished_at: finishedAt,
      actor_id: ctx.actor.userId,
      notes: input.notes ?? '',
      created_at: now,
      updated_at: now,
    })
    .execute();
  const deployment: Deployment = {
    id,
    release: release.key,
    service: input.service,
    environment: input.environment,
    region: input.region ?? null,
    status: input.status as DeploymentStatus,
    startedAt,
    finishedAt,
    actor: ctx.actor.name,
    notes: input.notes ?? '',
    ...(input.historyImport ? { historyImport: input.historyImport } : {}),
  };
  await recordAudit(ctx, {
    action: input.historyImport ? 'deployment.imported' : 'deployment.recorded',
    subjectType: 'deployment',
    subjectId: id,
    after: deployment,
  });
  if (environment!.production === 1 && input.status === 'succeeded' && finishedAt)
    await openHypercareWatch(ctx, {
      deploymentId: id,
      release,
      service: input.service,
      environment: input.environment,
      finishedAt,
    });
  return deployment;
}

/**
 * A production deployment needs the release's gate for that environment to pass. An
 * emergency release is judged by the policy that matches emergencies (its allowed path:
 * only its safety net is gated), so the same check lets it through when that path holds.
 */
async function refuseUnlessGatePasses(
  ctx: Ctx,
  releaseKey: string,
  input: RecordDeploymentInput,
): Promise<void> {
  const gate = await checkGate(ctx, releaseKey, input.environment);
  if (gate.verdict === 'pass') return;
  const failed = gate.rules.filter((r) => r.result === 'fail');
  throw new GatehouseError(
    'conflict',
    'gate-not-passed',
    `${releaseKey} may not be deployed to ${input.environment}: its gate (policy ${gate.policy ?? '(none)'}) does not pass`,
    {
      failedChecks: failed.map((r) => ({ check: r.rule, reason: r.reason })),
      extra: { gate: { policy: gate.policy, verdict: gate.verdict } },
    },
  );
}

export async function listDeployments(ctx: Ctx, releaseIdOrKey: string): Promise<Deployment[]> {
  authorize(ctx.actor, 'deployment:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const rows = await ctx.tx
    .selectFrom('deployments')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .innerJoin('users', 'users.id', 'deployments.actor_id')
    .select([
      'deployments.id',
      'services.name as service',
      'environments.name as environment',
      'deployments.region',
      'deployments.status',
      'deployments.started_at',
      'deployments.finished_at',
      'users.name as actor',
      'deployments.notes',
    ])
    .where('deployments.release_id', '=', release.id)
    .orderBy('deployments.started_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    release: release.key,
    service: r.service,
    environment: r.environment,
    region: r.region,
    status: r.status as DeploymentStatus,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    actor: r.actor,
    notes: r.notes,
  }));
}
