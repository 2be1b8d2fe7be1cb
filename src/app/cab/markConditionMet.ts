/** Marking one condition of a Conditional Go met: who, when, and how they know. */
import type { CabDecision } from '../../domain/cab/decision.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { loadDecision } from '../../store/cab.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export async function markConditionMet(
  ctx: Ctx,
  decisionId: string,
  number: number,
  note: string | undefined,
): Promise<CabDecision> {
  authorize(ctx.actor, 'cab:condition-met');
  const decision = await loadDecision(ctx.tx, decisionId);
  if (!decision) throw notFound('CAB decision', decisionId);
  const condition = decision.conditions.find((c) => c.number === number);
  if (!condition)
    throw invalid(
      '/number',
      decision.conditions.length
        ? `the decision has conditions 1 to ${decision.conditions.length}, not ${number}`
        : `a ${decision.decision} decision has no conditions`,
    );
  if (condition.metBy)
    throw conflict(
      'condition-already-met',
      `condition ${number} was already marked met by ${condition.metBy} at ${condition.metAt}`,
    );
  const now = ctx.now.toISOString();
  // Conditional on it still being open: two people marking it at once give one success.
  const marked = await ctx.tx
    .updateTable('cab_conditions')
    .set({ met_by: ctx.actor.userId, met_at: now, note: note?.trim() || null })
    .where('decision_id', '=', decision.id)
    .where('number', '=', number)
    .where('met_by', 'is', null)
    .executeTakeFirst();
  if (Number(marked.numUpdatedRows) !== 1)
    throw conflict('condition-already-met', `condition ${number} was marked met meanwhile`);
  const after = (await loadDecision(ctx.tx, decision.id))!;
  await recordAudit(ctx, {
    action: 'cab.condition.met',
    subjectType: 'release',
    subjectId: decision.release,
    before: condition,
    after: after.conditions.find((c) => c.number === number),
  });
  return after;
}
