/**
 * Emergency exceptions: an emergency release may deploy during a freeze only once
 * someone allowed to approve it has recorded why. The approval is a row and an audit
 * entry in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { FreezeException } from '../../domain/calendar/freeze.js';
import { conflict, invalid } from '../../domain/errors.js';
import { listFreezeExceptions, loadWindow } from '../../store/calendar.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface FreezeExceptionInput {
  window: string;
  release: string;
  reason: string;
}

export async function approveFreezeException(
  ctx: Ctx,
  input: FreezeExceptionInput,
): Promise<FreezeException> {
  authorize(ctx.actor, 'freeze:exception');
  const window = await loadWindow(ctx.tx, input.window);
  if (!window) throw invalid('/window', `window '${input.window}' does not exist`);
  if (window.kind !== 'freeze')
    throw invalid('/window', `${input.window} is a ${window.kind} window, not a freeze`);
  const release = await loadRelease(ctx.tx, input.release);
  if (!release) throw invalid('/release', `release '${input.release}' does not exist`);
  if (release.changeType !== 'emergency')
    throw conflict(
      'not-an-emergency',
      `${release.key} is a ${release.changeType} change; only emergency changes may pass a freeze`,
      { changeType: release.changeType },
    );
  const existing = await listFreezeExceptions(ctx.tx, { release: release.key });
  if (existing.some((e) => e.window === window.name))
    throw conflict(
      'exception-exists',
      `${release.key} already has an exception for ${window.name}`,
    );
  const id = randomUUID();
  await ctx.tx
    .insertInto('freeze_exceptions')
    .values({
      id,
      window_id: window.id,
      release_id: release.id,
      reason: input.reason,
      approved_by: ctx.actor.userId,
      approved_at: ctx.now.toISOString(),
    })
    .execute();
  const exception = (await listFreezeExceptions(ctx.tx, { release: release.key })).find(
    (e) => e.id === id,
  )!;
  await recordAudit(ctx, {
    action: 'calendar.freeze-exception-approved',
    subjectType: 'release',
    subjectId: release.key,
    after: exception,
  });
  return exception;
}

export async function readFreezeExceptions(
  ctx: Ctx,
  filter: { release?: string } = {},
): Promise<FreezeException[]> {
  authorize(ctx.actor, 'release:read');
  return listFreezeExceptions(
    ctx.tx,
    filter.release ? { release: filter.release.toUpperCase() } : {},
  );
}
