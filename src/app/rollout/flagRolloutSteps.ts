import { randomUUID } from 'node:crypto';
import { GatehouseError, notFound } from '../../domain/errors.js';
import type { FlagReading } from '../../integrations/feature-flags.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import { execute, query, type Actor, type App, type Ctx } from '../context.js';

export interface FlagRolloutStep {
  release: string;
  flag: string;
  step: number;
  enabled: boolean;
  exposurePercent: number;
  provider: string;
  observedAt: string;
  recordedBy: string;
}

export interface FlagObservation {
  step: FlagRolloutStep;
  /** False when the flag reads as it did at the last step: nothing new was recorded. */
  changed: boolean;
}

async function stepsOf(ctx: Ctx, releaseId: string, releaseKey: string, flag?: string) {
  let q = ctx.tx
    .selectFrom('flag_rollout_steps')
    .selectAll()
    .where('release_id', '=', releaseId)
    .orderBy('flag')
    .orderBy('seq');
  if (flag) q = q.where('flag', '=', flag);
  return (await q.execute()).map((r): FlagRolloutStep => ({
    release: releaseKey,
    flag: r.flag,
    step: Number(r.seq),
    enabled: Number(r.enabled) === 1,
    exposurePercent: Number(r.exposure_percent),
    provider: r.provider,
    observedAt: r.observed_at,
    recordedBy: r.recorded_by,
  }));
}

/** Records the reading as the release's next rollout step when state or exposure moved. */
export async function recordFlagStep(
  ctx: Ctx,
  releaseIdOrKey: string,
  reading: FlagReading,
): Promise<FlagObservation> {
  authorize(ctx.actor, 'deployment:record');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const previous = (await stepsOf(ctx, release.id, release.key, reading.flag)).at(-1);
  if (
    previous &&
    previous.enabled === reading.enabled &&
    previous.exposurePercent === reading.exposurePercent
  )
    return { step: previous, changed: false };
  const row = {
    id: randomUUID(),
    release_id: release.id,
    flag: reading.flag,
    seq: (previous?.step ?? 0) + 1,
    enabled: reading.enabled ? 1 : 0,
    exposure_percent: reading.exposurePercent,
    provider: reading.provider,
    observed_at: ctx.now.toISOString(),
    recorded_by: ctx.actor.name,
  };
  await ctx.tx.insertInto('flag_rollout_steps').values(row).execute();
  const step: FlagRolloutStep = {
    release: release.key,
    flag: row.flag,
    step: row.seq,
    enabled: reading.enabled,
    exposurePercent: reading.exposurePercent,
    provider: row.provider,
    observedAt: row.observed_at,
    recordedBy: row.recorded_by,
  };
  await recordAudit(ctx, {
    action: 'rollout.flag-step-recorded',
    subjectType: 'release',
    subjectId: release.key,
    ...(previous
      ? { before: { enabled: previous.enabled, exposurePercent: previous.exposurePercent } }
      : {}),
    after: step,
  });
  return { step, changed: true };
}

/**
 * Reads the flag through the server's flag service (outside any transaction: a slow flag
 * service never holds the writer), then records the step.
 */
export async function observeFlag(
  app: App,
  actor: Actor,
  releaseIdOrKey: string,
  flag: string,
): Promise<FlagObservation> {
  await query(app, actor, async (ctx) => {
    authorize(ctx.actor, 'deployment:record');
    if (!(await loadRelease(ctx.tx, releaseIdOrKey))) throw notFound('release', releaseIdOrKey);
  });
  if (!app.flags)
    throw new GatehouseError(
      'conflict',
      'flags-not-configured',
      'this server has no flag service: start it with --flags-ofrep-url URL',
    );
  const reading = await app.flags.read(flag);
  return execute(app, actor, (ctx) => recordFlagStep(ctx, releaseIdOrKey, reading));
}

export async function listFlagSteps(ctx: Ctx, releaseIdOrKey: string): Promise<FlagRolloutStep[]> {
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  return stepsOf(ctx, release.id, release.key);
}
