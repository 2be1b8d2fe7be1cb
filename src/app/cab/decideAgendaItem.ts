/**
 * A CAB decision on one agenda item at one sitting: Go, No-Go (the release moves to
 * No-Go with the rationale as its reason, through the lifecycle use case) or
 * Conditional Go with the conditions that must each be marked met before deploying.
 * Only a member of the meeting decides, and only on an item of that sitting's agenda.
 */
import { randomUUID } from 'node:crypto';
import {
  decisionProblems,
  type CabDecision,
  type CabDecisionInput,
} from '../../domain/cab/decision.js';
import { conflict, GatehouseError, notFound } from '../../domain/errors.js';
import { decisionsOfRelease, isMember, loadDecision, loadMeeting } from '../../store/cab.js';
import { isUniqueViolation } from '../../store/database.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';
import { transitionRelease } from '../releases/transitionRelease.js';
import { buildAgenda, resolveOccurrence } from './agenda.js';

export async function decideAgendaItem(
  ctx: Ctx,
  meetingName: string,
  input: CabDecisionInput,
): Promise<CabDecision> {
  authorize(ctx.actor, 'cab:decide');
  const meeting = await loadMeeting(ctx.tx, meetingName);
  if (!meeting) throw notFound('CAB meeting', meetingName);
  if (!(await isMember(ctx.tx, meeting.id, ctx.actor.userId)))
    throw new GatehouseError(
      'forbidden',
      'not-a-member',
      `${ctx.actor.name} is not a member of the CAB ${meeting.name} (members: ${meeting.members.join(', ') || 'none'}) and so may not decide at it`,
    );
  throwIfProblems(decisionProblems(input), 'invalid-cab-decision');
  const occurrence = resolveOccurrence(ctx, meeting, input.occurrence, '/occurrence');
  const release = await loadRelease(ctx.tx, input.release);
  if (!release) throw notFound('release', input.release);
  const agenda = await buildAgenda(ctx, meeting.name, occurrence.start);
  const item = agenda.items.find((i) => i.release === release.key);
  if (!item)
    throw conflict(
      'not-on-agenda',
      `${release.key} is not on the agenda of ${meeting.name} at ${occurrence.start} (on it: ${agenda.items.map((i) => i.release).join(', ') || 'nothing'})`,
    );
  if (item.decision)
    throw conflict(
      'already-decided',
      `${release.key} was already decided at this sitting: ${item.decision.decision} by ${item.decision.decidedBy} at ${item.decision.decidedAt}`,
    );

  const id = randomUUID();
  const now = ctx.now.toISOString();
  const rationale = input.rationale.trim();
  try {
    await ctx.tx
      .insertInto('cab_decisions')
      .values({
        id,
        meeting_id: meeting.id,
        occurrence: occurrence.start,
        release_id: release.id,
        decision: input.decision,
        rationale,
        decided_by: ctx.actor.userId,
        decided_at: now,
      })
      .execute();
  } catch (error) {
    // Two members deciding the same item at once: one decision stands.
    if (isUniqueViolation(error))
      throw conflict('already-decided', `${release.key} was decided at this sitting meanwhile`);
    throw error;
  }
  for (const [i, text] of (input.conditions ?? []).entries())
    await ctx.tx
      .insertInto('cab_conditions')
      .values({
        decision_id: id,
        number: i + 1,
        text: text.trim(),
        met_by: null,
        met_at: null,
        note: null,
      })
      .execute();
  if (input.decision === 'no-go')
    await transitionRelease(
      ctx,
      release.id,
      { to: 'no-go', reason: `CAB ${meeting.name} ${occurrence.start}: ${rationale}` },
      'cab:decide',
    );
  const decision = (await loadDecision(ctx.tx, id))!;
  await recordAudit(ctx, {
    action: 'cab.decision.recorded',
    subjectType: 'release',
    subjectId: release.key,
    after: decision,
  });
  return decision;
}

/** Every CAB decision on a release, oldest first; the last one is what the gate reads. */
export async function releaseDecisions(ctx: Ctx, releaseIdOrKey: string): Promise<CabDecision[]> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  return decisionsOfRelease(ctx.tx, release.id);
}
