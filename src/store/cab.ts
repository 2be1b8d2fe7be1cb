/** Reading CAB meetings, decisions and Go / No-Go checkpoints; rows in, domain shapes out. */
import type { Kysely } from 'kysely';
import type { CabCondition, CabDecision, CabDecisionKind } from '../domain/cab/decision.js';
import type { GoNoGo, GoNoGoCheckpoint, ReadinessSnapshot } from '../domain/cab/go-no-go.js';
import type { CabMeeting } from '../domain/cab/meeting.js';
import type { Release } from '../domain/release.js';
import { preparedQuery } from './prepared.js';
import { selectReleases, toRelease } from './releases.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export async function loadMeeting(db: Db, name: string): Promise<CabMeeting | undefined> {
  return (await listMeetings(db, name))[0];
}

export async function listMeetings(db: Db, name?: string): Promise<CabMeeting[]> {
  let query = db
    .selectFrom('cab_meetings')
    .innerJoin('users', 'users.id', 'cab_meetings.created_by')
    .selectAll('cab_meetings')
    .select('users.name as creator')
    .orderBy('cab_meetings.name');
  if (name !== undefined) query = query.where('cab_meetings.name', '=', name);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const members = await db
    .selectFrom('cab_members')
    .innerJoin('users', 'users.id', 'cab_members.user_id')
    .select(['cab_members.meeting_id', 'users.name'])
    .where(
      'cab_members.meeting_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('users.name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    title: r.title,
    timeZone: r.time_zone,
    start: r.local_start,
    end: r.local_end,
    rrule: r.rrule,
    members: members.filter((m) => m.meeting_id === r.id).map((m) => m.name),
    createdBy: r.creator,
    createdAt: r.created_at,
  }));
}

export async function isMember(db: Db, meetingId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('cab_members')
    .select('user_id')
    .where('meeting_id', '=', meetingId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

function decisionsQuery(db: Db) {
  return db
    .selectFrom('cab_decisions')
    .innerJoin('cab_meetings', 'cab_meetings.id', 'cab_decisions.meeting_id')
    .innerJoin('releases', 'releases.id', 'cab_decisions.release_id')
    .innerJoin('users', 'users.id', 'cab_decisions.decided_by')
    .select([
      'cab_decisions.id',
      'cab_decisions.release_id',
      'cab_decisions.occurrence',
      'cab_decisions.decision',
      'cab_decisions.rationale',
      'cab_decisions.decided_at',
      'cab_meetings.name as meeting',
      'releases.key as release',
      'users.name as decided_by',
    ]);
}

type DecisionRow = Awaited<ReturnType<ReturnType<typeof decisionsQuery>['execute']>>[number];

async function withConditions(db: Db, rows: DecisionRow[]): Promise<CabDecision[]> {
  if (rows.length === 0) return [];
  const conditions = await db
    .selectFrom('cab_conditions')
    .leftJoin('users', 'users.id', 'cab_conditions.met_by')
    .select([
      'cab_conditions.decision_id',
      'cab_conditions.number',
      'cab_conditions.text',
      'cab_conditions.met_at',
      'cab_conditions.note',
      'users.name as met_by',
    ])
    .where(
      'cab_conditions.decision_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('cab_conditions.number')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    meeting: r.meeting,
    occurrence: r.occurrence,
    release: r.release,
    decision: r.decision as CabDecisionKind,
    rationale: r.rationale,
    conditions: conditions
      .filter((c) => c.decision_id === r.id)
      .map((c): CabCondition => ({
        number: Number(c.number),
        text: c.text,
        metBy: c.met_by ?? null,
        metAt: c.met_at,
        note: c.note,
      })),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  }));
}

export async function loadDecision(db: Db, id: string): Promise<CabDecision | undefined> {
  const rows = await decisionsQuery(db).where('cab_decisions.id', '=', id).execute();
  return (await withConditions(db, rows))[0];
}

/** Decisions taken at one sitting of a meeting. */
export async function decisionsAt(
  db: Db,
  meetingId: string,
  occurrence: string,
): Promise<CabDecision[]> {
  const rows = await decisionsQuery(db)
    .where('cab_decisions.meeting_id', '=', meetingId)
    .where('cab_decisions.occurrence', '=', occurrence)
    .orderBy('cab_decisions.decided_at')
    .execute();
  return withConditions(db, rows);
}

// One release's decisions, oldest first: every gate check asks, so compiled once.
const decisionRowsOfRelease = preparedQuery((db: Db, releaseId: string) =>
  decisionsQuery(db)
    .where('cab_decisions.release_id', '=', releaseId)
    .orderBy('cab_decisions.decided_at')
    .orderBy('cab_decisions.id'),
);

/** Every decision on a release, oldest first. */
export async function decisionsOfRelease(db: Db, releaseId: string): Promise<CabDecision[]> {
  return withConditions(db, await decisionRowsOfRelease(db, releaseId));
}

/** The latest decision per release, for the releases given. */
export async function latestDecisions(
  db: Db,
  releaseIds: readonly string[],
): Promise<Map<string, CabDecision>> {
  const latest = new Map<string, CabDecision>();
  if (releaseIds.length === 0) return latest;
  const rows =
    releaseIds.length === 1
      ? await decisionRowsOfRelease(db, releaseIds[0]!)
      : await decisionsQuery(db)
          .where('cab_decisions.release_id', 'in', [...releaseIds])
          .orderBy('cab_decisions.decided_at')
          .orderBy('cab_decisions.id')
          .execute();
  const lastRow = new Map<string, DecisionRow>();
  for (const row of rows) lastRow.set(row.release_id, row);
  const lastRows = [...lastRow.values()];
  const decisions = await withConditions(db, lastRows);
  lastRows.forEach((row, i) => latest.set(row.release_id, decisions[i]!));
  return latest;
}

export async function checkpointsOfRelease(db: Db, releaseId: string): Promise<GoNoGoCheckpoint[]> {
  const rows = await db
    .selectFrom('go_no_go_checkpoints')
    .innerJoin('releases', 'releases.id', 'go_no_go_checkpoints.release_id')
    .innerJoin('environments', 'environments.id', 'go_no_go_checkpoints.environment_id')
    .innerJoin('users', 'users.id', 'go_no_go_checkpoints.recorded_by')
    .selectAll('go_no_go_checkpoints')
    .select(['releases.key', 'environments.name as environment', 'users.name as recorder'])
    .where('go_no_go_checkpoints.release_id', '=', releaseId)
    .orderBy('go_no_go_checkpoints.recorded_at')
    .orderBy('go_no_go_checkpoints.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    release: r.key,
    environment: r.environment,
    decision: r.decision as GoNoGo,
    rationale: r.rationale,
    participants: JSON.parse(r.participants) as string[],
    readiness: JSON.parse(r.readiness) as ReadinessSnapshot,
    recordedBy: r.recorder,
    recordedAt: r.recorded_at,
  }));
}

/** States in which a release still waits for its CAB. */
const BEFORE_DEPLOY = ['plan', 'prepare', 'test', 'approve'];

/**
 * Releases that may belong on an agenda: before Deploy with a planned window, plus the
 * ones named (decided at the sitting). The horizon is the domain's to judge.
 */
export async function agendaCandidates(
  db: Db,
  alsoReleases: readonly string[],
): Promise<Release[]> {
  const rows = await selectReleases(db)
    .where((eb) => {
      const either = [
        eb.and([
          eb('releases.state', 'in', BEFORE_DEPLOY),
          eb('releases.window_start', 'is not', null),
        ]),
      ];
      if (alsoReleases.length) either.push(eb('releases.key', 'in', [...alsoReleases]));
      return eb.or(either);
    })
    .orderBy('releases.window_start')
    .orderBy('releases.key')
    .execute();
  return rows.map(toRelease);
}
