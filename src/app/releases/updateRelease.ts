import { conflict, GatehouseError, notFound, type FieldProblem } from '../../domain/errors.js';
import { STATE_LABELS } from '../../domain/lifecycle.js';
import {
  EMPTY_SCOPE,
  type Release,
  type ReleaseState,
  type UpdateReleaseInput,
} from '../../domain/release.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import {
  checkWindow,
  checkWindowEnvironment,
  resolveServices,
  throwIfProblems,
  toUtc,
} from './releaseContent.js';

/** Content may change until deployment starts; after that the record is history. */
export const EDITABLE_STATES: readonly ReleaseState[] = ['plan', 'prepare', 'test', 'approve'];

/**
 * Applies a partial update when `expectedRevision` (from If-Match) is still current.
 * The revision check and the write are one conditional UPDATE, so two writers holding
 * the same revision cannot both succeed, whichever replica they reach.
 */
export async function updateRelease(
  ctx: Ctx,
  idOrKey: string,
  expectedRevision: number,
  input: UpdateReleaseInput,
): Promise<Release> {
  authorize(ctx.actor, 'release:update');
  const { tx } = ctx;
  const before = await loadRelease(tx, idOrKey);
  if (!before) throw notFound('release', idOrKey);
  if (before.revision !== expectedRevision) throw staleRevision(before, expectedRevision);
  if (!EDITABLE_STATES.includes(before.state)) {
    throw conflict(
      'release-not-editable',
      `${before.key} is in ${STATE_LABELS[before.state]}; its content can change only in Plan, Prepare, Test or Approve`,
      { state: before.state },
    );
  }
  const problems: FieldProblem[] = [];
  const serviceIds = input.services
    ? await resolveServices(tx, input.services, problems)
    : new Map<string, string>();
  checkWindow(input.plannedWindow, problems);
  await checkWindowEnvironment(tx, input.plannedWindow, problems);
  throwIfProblems(problems);

  const now = ctx.now.toISOString();
  const updated = await tx
    .updateTable('releases')
    .set({
      ...(input.title !== undefined && { title: input.title }),
      ...(input.version !== undefined && { version: input.version }),
      ...(input.classification !== undefined && { classification: input.classification }),
      ...(input.changeType !== undefined && { change_type: input.changeType }),
      ...(input.strategy !== undefined && { strategy: input.strategy }),
      ...(input.scope !== undefined && {
        scope: JSON.stringify({ ...EMPTY_SCOPE, ...before.scope, ...input.scope }),
      }),
      ...(input.justification !== undefined && { justification: input.justification }),
      ...(input.rollbackPlan !== undefined && { rollback_plan: input.rollbackPlan }),
      ...(input.plannedWindow !== undefined && {
        window_start: input.plannedWindow ? toUtc(input.plannedWindow.start) : null,
        window_end: input.plannedWindow ? toUtc(input.plannedWindow.end) : null,
        window_environment: input.plannedWindow?.environment ?? null,
      }),
      ...(input.authors !== undefined && { authors: JSON.stringify(input.authors) }),
      ...(input.facts !== undefined && {
        risk_facts: JSON.stringify({ ...(before.facts ?? {}), ...input.facts }),
      }),
      revision: expectedRevision + 1,
      updated_at: now,
    })
    .where('id', '=', before.id)
    .where('revision', '=', expectedRevision)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw staleRevision(before, expectedRevision);

  if (input.services) {
    await tx.deleteFrom('release_services').where('release_id', '=', before.id).execute();
    if (input.services.length > 0) {
      await tx
        .insertInto('release_services')
        .values(
          input.services.map((s) => ({
            release_id: before.id,
            service_id: serviceIds.get(s.service)!,
            version: s.version,
            artifact: s.artifact ?? null,
          })),
        )
        .execute();
    }
  }
  const after = (await loadRelease(tx, before.id))!;
  await recordAudit(ctx, {
    action: 'release.updated',
    subjectType: 'release',
    subjectId: after.key,
    before,
    after,
  });
  return after;
}

export function staleRevision(current: Release, expected: number): GatehouseError {
  return new GatehouseError(
    'precondition-failed',
    'stale-revision',
    `${current.key} has changed since revision ${expected} (now ${current.revision}); read it again and reapply your change`,
    { extra: { currentRevision: current.revision } },
  );
}
