/** Scheduling CAB meetings and choosing their members. */
import { randomUUID } from 'node:crypto';
import {
  meetingOccurrences,
  meetingProblems,
  type CabMeeting,
  type CabMeetingInput,
  type MeetingOccurrence,
} from '../../domain/cab/meeting.js';
import { conflict, notFound, type FieldProblem } from '../../domain/errors.js';
import { listMeetings, loadMeeting } from '../../store/cab.js';
import { isUniqueViolation, type Tx } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

async function userIds(
  tx: Tx,
  names: readonly string[],
  field: string,
): Promise<{ ids: string[]; problems: FieldProblem[] }> {
  if (names.length === 0) return { ids: [], problems: [] };
  const rows = await tx
    .selectFrom('users')
    .select(['id', 'name'])
    .where('name', 'in', [...names])
    .execute();
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  const problems: FieldProblem[] = [];
  names.forEach((name, i) => {
    if (!byName.has(name))
      problems.push({ field: `${field}/${i}`, reason: `user '${name}' does not exist` });
  });
  return { ids: names.map((n) => byName.get(n)!).filter(Boolean), problems };
}

export { userIds as resolveUsers };

export async function createMeeting(ctx: Ctx, input: CabMeetingInput): Promise<CabMeeting> {
  authorize(ctx.actor, 'cab:manage');
  const members = await userIds(ctx.tx, input.members ?? [], '/members');
  throwIfProblems([...meetingProblems(input), ...members.problems], 'invalid-cab-meeting');
  if (await loadMeeting(ctx.tx, input.name))
    throw conflict('cab-meeting-exists', `a CAB meeting named '${input.name}' already exists`, {
      name: input.name,
    });
  const now = ctx.now.toISOString();
  const id = randomUUID();
  try {
    await ctx.tx
      .insertInto('cab_meetings')
      .values({
        id,
        name: input.name,
        title: input.title,
        time_zone: input.timeZone,
        local_start: input.start,
        local_end: input.end,
        rrule: input.rrule ? input.rrule.replace(/^RRULE:/i, '').toUpperCase() : null,
        created_by: ctx.actor.userId,
        created_at: now,
      })
      .execute();
  } catch (error) {
    // Two people scheduling the same name at once: one meeting stands.
    if (isUniqueViolation(error))
      throw conflict('cab-meeting-exists', `a CAB meeting named '${input.name}' already exists`);
    throw error;
  }
  for (const userId of members.ids)
    await ctx.tx
      .insertInto('cab_members')
      .values({ meeting_id: id, user_id: userId, added_by: ctx.actor.userId, added_at: now })
      .execute();
  const meeting = (await loadMeeting(ctx.tx, input.name))!;
  await recordAudit(ctx, {
    action: 'cab.meeting.created',
    subjectType: 'cab-meeting',
    subjectId: meeting.name,
    after: meeting,
  });
  return meeting;
}

export async function addMember(ctx: Ctx, meetingName: string, user: string): Promise<CabMeeting> {
  authorize(ctx.actor, 'cab:manage');
  const meeting = await loadMeeting(ctx.tx, meetingName);
  if (!meeting) throw notFound('CAB meeting', meetingName);
  const resolved = await userIds(ctx.tx, [user], '/user');
  if (resolved.problems.length)
    throwIfProblems(
      [{ field: '/user', reason: `user '${user}' does not exist` }],
      'invalid-member',
    );
  if (meeting.members.includes(user))
    throw conflict('already-a-member', `${user} is already a member of ${meeting.name}`);
  await ctx.tx
    .insertInto('cab_members')
    .values({
      meeting_id: meeting.id,
      user_id: resolved.ids[0]!,
      added_by: ctx.actor.userId,
      added_at: ctx.now.toISOString(),
    })
    .execute();
  await recordAudit(ctx, {
    action: 'cab.member.added',
    subjectType: 'cab-meeting',
    subjectId: meeting.name,
    before: { members: meeting.members },
    after: { members: [...meeting.members, user].sort() },
  });
  return (await loadMeeting(ctx.tx, meetingName))!;
}

export async function readMeetings(ctx: Ctx): Promise<CabMeeting[]> {
  authorize(ctx.actor, 'release:read');
  return listMeetings(ctx.tx);
}

export async function readMeeting(
  ctx: Ctx,
  name: string,
): Promise<CabMeeting & { upcoming: MeetingOccurrence[] }> {
  authorize(ctx.actor, 'release:read');
  const meeting = await loadMeeting(ctx.tx, name);
  if (!meeting) throw notFound('CAB meeting', name);
  const now = ctx.now.getTime();
  return {
    ...meeting,
    upcoming: meetingOccurrences(meeting, now, now + 400 * 86_400_000).slice(0, 5),
  };
}
