import { conflict, notFound } from '../../domain/errors.js';
import type { RunbookInput, RunbookSection } from '../../domain/runbook.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { readRunbook, type Runbook } from './getRunbook.js';

/**
 * Writes (or rewrites) a release's runbook. Once any step has been marked the runbook
 * is being executed, and rewriting it would erase its timings: refused.
 */
export async function setRunbook(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: RunbookInput,
): Promise<Runbook> {
  authorize(ctx.actor, 'runbook:write');
  const { tx } = ctx;
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const existing = await tx
    .selectFrom('runbooks')
    .select('revision')
    .where('release_id', '=', release.id)
    .executeTakeFirst();
  const before = existing ? await readRunbook(tx, release.id) : null;
  const marked = await tx
    .selectFrom('runbook_steps')
    .select(['section', 'position'])
    .where('release_id', '=', release.id)
    .where('status', '!=', 'pending')
    .executeTakeFirst();
  if (marked)
    throw conflict(
      'runbook-in-progress',
      `${release.key}'s runbook is being executed (${marked.section}-${marked.position} was marked); it can no longer be rewritten`,
    );
  const now = ctx.now.toISOString();
  await tx.deleteFrom('runbook_steps').where('release_id', '=', release.id).execute();
  const sections: Array<[RunbookSection, RunbookInput['steps'] | undefined]> = [
    ['pre-check', input.preChecks],
    ['step', input.steps],
    ['validation', input.validation],
    ['rollback', input.rollback],
  ];
  const rows = sections.flatMap(([section, steps]) =>
    (steps ?? []).map((step, i) => ({
      release_id: release.id,
      section,
      position: i + 1,
      title: step.title,
      description: step.description ?? '',
      owner: step.owner ?? null,
      status: 'pending',
      started_at: null,
      finished_at: null,
      marked_by: null,
      note: '',
    })),
  );
  if (rows.length) await tx.insertInto('runbook_steps').values(rows).execute();
  const contacts = JSON.stringify(input.contacts ?? []);
  if (existing)
    await tx
      .updateTable('runbooks')
      .set({
        contacts,
        revision: Number(existing.revision) + 1,
        updated_by: ctx.actor.userId,
        updated_at: now,
      })
      .where('release_id', '=', release.id)
      .execute();
  else
    await tx
      .insertInto('runbooks')
      .values({
        release_id: release.id,
        contacts,
        revision: 1,
        updated_by: ctx.actor.userId,
        created_at: now,
        updated_at: now,
      })
      .execute();
  const after = await readRunbook(tx, release.id);
  await recordAudit(ctx, {
    action: existing ? 'runbook.updated' : 'runbook.created',
    subjectType: 'release',
    subjectId: release.id,
    before,
    after,
  });
  return after;
}
