import { GatehouseError, invalid, notFound } from '../../domain/errors.js';
import { markStep, type MarkStepInput } from '../../domain/runbook.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { toUtc } from '../releases/releaseContent.js';
import { loadSteps, readRunbook, type Runbook } from './getRunbook.js';

/** Marks one step started, completed, failed or skipped, at an instant (default now). */
export async function markRunbookStep(
  ctx: Ctx,
  releaseIdOrKey: string,
  key: string,
  input: MarkStepInput,
): Promise<Runbook> {
  authorize(ctx.actor, 'runbook:execute');
  const { tx } = ctx;
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const steps = await loadSteps(tx, release.id);
  if (steps.length === 0) throw notFound('runbook', release.key);
  const step = steps.find((s) => s.key === key.toLowerCase());
  if (!step) throw notFound('runbook step', key);
  const at = input.at ? toUtc(input.at) : ctx.now.toISOString();
  if (Date.parse(at) > ctx.now.getTime()) throw invalid('/at', `${at} is in the future`);
  const next = markStep(step, input.action, at, steps);
  if ('reason' in next)
    throw new GatehouseError('conflict', 'runbook-step-refused', `${next.field}: ${next.reason}`, {
      field: next.field,
    });
  await tx
    .updateTable('runbook_steps')
    .set({
      status: next.status,
      started_at: next.startedAt,
      finished_at: next.finishedAt,
      marked_by: ctx.actor.userId,
      note: input.note ?? step.note,
    })
    .where('release_id', '=', release.id)
    .where('section', '=', step.section)
    .where('position', '=', step.position)
    .execute();
  await recordAudit(ctx, {
    action: `runbook.step.${input.action}`,
    subjectType: 'release',
    subjectId: release.id,
    before: step,
    after: { key: step.key, ...next, note: input.note ?? step.note },
  });
  return readRunbook(tx, release.id);
}
