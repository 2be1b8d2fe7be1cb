/**
 * A release's expected downtime (audited) and the notices to the owners of the services
 * that depend on it. Each notice is an audit entry, so it leaves through the outbound
 * notification channel like every other event (docs/notifications.md).
 */
import { GatehouseError, conflict, notFound } from '../../domain/errors.js';
import {
  downtimeProblems,
  downtimeRecipients,
  type DowntimeRecipient,
  type SetDowntimeInput,
} from '../../domain/downtime.js';
import { isTerminal } from '../../domain/release.js';
import { dependencyEdges } from '../../store/catalog.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface Downtime {
  release: string;
  start: string;
  end: string;
  description: string;
  setBy: string;
  setAt: string;
  noticesSentAt: string | null;
}

async function releaseOrThrow(ctx: Ctx, key: string) {
  const release = await loadRelease(ctx.tx, key);
  if (!release) throw notFound('release', key);
  return release;
}

async function readDowntime(ctx: Ctx, releaseId: string, key: string): Promise<Downtime | null> {
  const row = await ctx.tx
    .selectFrom('release_downtimes')
    .selectAll()
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
  return row
    ? {
        release: key,
        start: row.starts_at,
        end: row.ends_at,
        description: row.description,
        setBy: row.set_by,
        setAt: row.set_at,
        noticesSentAt: row.notices_sent_at,
      }
    : null;
}

export async function getDowntime(ctx: Ctx, key: string): Promise<Downtime> {
  authorize(ctx.actor, 'release:read');
  const release = await releaseOrThrow(ctx, key);
  const downtime = await readDowntime(ctx, release.id, release.key);
  if (!downtime) throw notFound('expected downtime of release', release.key);
  return downtime;
}

export async function setDowntime(
  ctx: Ctx,
  key: string,
  input: SetDowntimeInput,
): Promise<Downtime> {
  authorize(ctx.actor, 'downtime:notify');
  const release = await releaseOrThrow(ctx, key);
  const problems = downtimeProblems(input, ctx.now);
  if (problems.length > 0)
    throw new GatehouseError(
      'invalid',
      'invalid-downtime',
      problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
      { problems },
    );
  if (isTerminal(release.state))
    throw conflict(
      'release-finished',
      `${release.key} is ${release.state}; it has no downtime ahead`,
    );
  const before = await readDowntime(ctx, release.id, release.key);
  const start = new Date(input.start).toISOString();
  const end = new Date(input.end).toISOString();
  const now = ctx.now.toISOString();
  const changed = !before || before.start !== start || before.end !== end;
  const row = {
    starts_at: start,
    ends_at: end,
    description: input.description,
    set_by: ctx.actor.name,
    set_at: now,
    // A changed window needs new notices; a reworded one keeps the ones sent.
    notices_sent_at: changed ? null : (before?.noticesSentAt ?? null),
  };
  await ctx.tx
    .insertInto('release_downtimes')
    .values({ release_id: release.id, ...row })
    .onConflict((oc) => oc.column('release_id').doUpdateSet(row))
    .execute();
  const after = (await readDowntime(ctx, release.id, release.key))!;
  await recordAudit(ctx, {
    action: 'downtime.set',
    subjectType: 'release',
    subjectId: release.key,
    before: before && { start: before.start, end: before.end, description: before.description },
    after: { start, end, description: input.description },
  });
  return after;
}

export interface DowntimeNotices {
  release: string;
  start: string;
  end: string;
  notices: Array<DowntimeRecipient & { auditSeq: number }>;
}

export async function sendDowntimeNotices(ctx: Ctx, key: string): Promise<DowntimeNotices> {
  authorize(ctx.actor, 'downtime:notify');
  const release = await releaseOrThrow(ctx, key);
  const downtime = await readDowntime(ctx, release.id, release.key);
  if (!downtime)
    throw conflict('no-downtime', `${release.key} has no expected downtime; set it first`);
  if (downtime.noticesSentAt)
    throw conflict(
      'notices-already-sent',
      `notices for this window of ${release.key} went out at ${downtime.noticesSentAt}; change the window to send new ones`,
    );
  if (Date.parse(downtime.end) <= ctx.now.getTime())
    throw conflict('downtime-over', `the downtime of ${release.key} ended at ${downtime.end}`);
  if (isTerminal(release.state))
    throw conflict(
      'release-finished',
      `${release.key} is ${release.state}; it has no downtime ahead`,
    );
  const owners = await ctx.tx
    .selectFrom('services')
    .innerJoin('teams', 'teams.id', 'services.team_id')
    .select(['services.name as service', 'teams.name as team', 'teams.time_zone'])
    .execute();
  const recipients = downtimeRecipients(
    await dependencyEdges(ctx.tx),
    release.services.map((s) => s.service),
    new Map(owners.map((o) => [o.service, { team: o.team, timeZone: o.time_zone }])),
    downtime,
  );
  if (recipients.length === 0)
    throw conflict(
      'no-dependent-services',
      `no service in the catalog depends on ${release.services.map((s) => s.service).join(', ')}; nobody to notify`,
    );
  const notices: DowntimeNotices['notices'] = [];
  for (const recipient of recipients) {
    const { seq } = await recordAudit(ctx, {
      action: 'downtime.notice',
      subjectType: 'release',
      subjectId: release.key,
      after: {
        team: recipient.team,
        timeZone: recipient.timeZone,
        services: recipient.services,
        changedServices: release.services.map((s) => s.service),
        start: downtime.start,
        end: downtime.end,
        localWindow: recipient.localWindow,
        description: downtime.description,
      },
    });
    notices.push({ ...recipient, auditSeq: seq });
  }
  await ctx.tx
    .updateTable('release_downtimes')
    .set({ notices_sent_at: ctx.now.toISOString() })
    .where('release_id', '=', release.id)
    .execute();
  return { release: release.key, start: downtime.start, end: downtime.end, notices };
}
