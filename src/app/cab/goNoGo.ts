/**
 * Go / No-Go checkpoints: the participants, the readiness checklist exactly as the gate
 * judged it at that moment (stored, not recomputed later), and the decision with its
 * rationale.
 */
import { randomUUID } from 'node:crypto';
import {
  checkpointRefusal,
  type GoNoGoCheckpoint,
  type GoNoGoInput,
  type ReadinessSnapshot,
} from '../../domain/cab/go-no-go.js';
import { conflict, notFound } from '../../domain/errors.js';
import { checkpointsOfRelease } from '../../store/cab.js';
import { environmentByName } from '../../store/gates.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { checkGate } from '../gates/checkGate.js';
import { throwIfProblems } from '../releases/releaseContent.js';
import { resolveUsers } from './meetings.js';

export async function recordGoNoGo(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: GoNoGoInput,
): Promise<GoNoGoCheckpoint> {
  authorize(ctx.actor, 'go-no-go:record');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const [environment] = await environmentByName(ctx.tx, input.environment);
  if (!environment) throw notFound('environment', input.environment);
  const participants = [...new Set([...input.participants, ctx.actor.name])].sort();
  const users = await resolveUsers(ctx.tx, input.participants, '/participants');
  throwIfProblems(
    [
      ...(input.rationale.trim()
        ? []
        : [{ field: '/rationale', reason: 'a Go / No-Go decision must give its rationale' }]),
      ...users.problems,
    ],
    'invalid-go-no-go',
  );
  const gate = await checkGate(ctx, release.id, environment.name);
  const readiness = gate as unknown as ReadinessSnapshot;
  const refusal = checkpointRefusal(input.decision, readiness);
  if (refusal)
    throw conflict(refusal.code, `${release.key} → ${environment.name}: ${refusal.reason}`, {
      verdict: gate.verdict,
    });
  const checkpoint: GoNoGoCheckpoint = {
    id: randomUUID(),
    release: release.key,
    environment: environment.name,
    decision: input.decision,
    rationale: input.rationale.trim(),
    participants,
    readiness,
    recordedBy: ctx.actor.name,
    recordedAt: ctx.now.toISOString(),
  };
  await ctx.tx
    .insertInto('go_no_go_checkpoints')
    .values({
      id: checkpoint.id,
      release_id: release.id,
      environment_id: environment.id,
      decision: checkpoint.decision,
      rationale: checkpoint.rationale,
      participants: JSON.stringify(participants),
      readiness: JSON.stringify(readiness),
      recorded_by: ctx.actor.userId,
      recorded_at: checkpoint.recordedAt,
    })
    .execute();
  await recordAudit(ctx, {
    action: 'go-no-go.recorded',
    subjectType: 'release',
    subjectId: release.key,
    after: {
      id: checkpoint.id,
      environment: checkpoint.environment,
      decision: checkpoint.decision,
      rationale: checkpoint.rationale,
      participants,
      verdict: readiness.verdict,
      failing: readiness.rules.filter((r) => r.result === 'fail').map((r) => r.rule),
    },
  });
  return checkpoint;
}

export async function listGoNoGo(ctx: Ctx, releaseIdOrKey: string): Promise<GoNoGoCheckpoint[]> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  return checkpointsOfRelease(ctx.tx, release.id);
}
