import { randomUUID } from 'node:crypto';
import type { FieldProblem } from '../../domain/errors.js';
import {
  defaultChangeType,
  EMPTY_SCOPE,
  type CreateReleaseInput,
  type Release,
} from '../../domain/release.js';
import { nextCounter } from '../../store/counters.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { pinPolicy } from '../policies/queries.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import {
  checkWindow,
  checkWindowEnvironment,
  resolveServices,
  resolveTeam,
  throwIfProblems,
  toUtc,
} from './releaseContent.js';

export async function createRelease(ctx: Ctx, input: CreateReleaseInput): Promise<Release> {
  authorize(ctx.actor, 'release:create');
  const { tx } = ctx;
  const problems: FieldProblem[] = [];
  const serviceIds = await resolveServices(tx, input.services, problems);
  const teamId = await resolveTeam(tx, input.team, problems);
  checkWindow(input.plannedWindow, problems);
  await checkWindowEnvironment(tx, input.plannedWindow, problems);
  throwIfProblems(problems);

  const id = randomUUID();
  const key = `REL-${await nextCounter(tx, ctx.engine, 'release')}`;
  const now = ctx.now.toISOString();
  await tx
    .insertInto('releases')
    .values({
      id,
      key,
      title: input.title,
      version: input.version,
      state: 'plan',
      classification: input.classification,
      change_type: input.changeType ?? defaultChangeType(input.classification),
      strategy: input.strategy ?? 'rolling',
      scope: JSON.stringify({ ...EMPTY_SCOPE, ...input.scope }),
      justification: input.justification ?? '',
      rollback_plan: input.rollbackPlan ?? '',
      window_start: input.plannedWindow ? toUtc(input.plannedWindow.start) : null,
      window_end: input.plannedWindow ? toUtc(input.plannedWindow.end) : null,
      window_environment: input.plannedWindow?.environment ?? null,
      risk_facts: input.facts ? JSON.stringify(input.facts) : null,
      authors: JSON.stringify(input.authors ?? []),
      team_id: teamId,
      requester_id: ctx.actor.userId,
      revision: 1,
      created_at: now,
      updated_at: now,
      state_changed_at: now,
    })
    .execute();
  if (input.services.length > 0) {
    await tx
      .insertInto('release_services')
      .values(
        input.services.map((s) => ({
          release_id: id,
          service_id: serviceIds.get(s.service)!,
          version: s.version,
          artifact: s.artifact ?? null,
        })),
      )
      .execute();
  }
  await pinPolicy(ctx, id);
  const release = (await loadRelease(tx, id))!;
  await recordAudit(ctx, {
    action: 'release.created',
    subjectType: 'release',
    subjectId: release.key,
    after: release,
  });
  return release;
}
