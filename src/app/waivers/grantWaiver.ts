import { randomUUID } from 'node:crypto';
import { GatehouseError, invalid, notFound } from '../../domain/errors.js';
import { GATE_RULE_IDS, isGateRule, type Waiver } from '../../domain/gate.js';
import type { Tx } from '../../store/database.js';
import { preparedQuery } from '../../store/prepared.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { toUtc } from '../releases/releaseContent.js';

export interface GrantWaiverInput {
  rule: string;
  justification: string;
  expiresAt: string;
}

/** Waivers are short-lived by design: a standing exception belongs in the policy. */
export const MAX_WAIVER_DAYS = 90;

// Read by every gate check: compiled once (src/store/prepared.ts).
const waiverRows = preparedQuery((tx: Tx, releaseId: string) =>
  tx
    .selectFrom('waivers')
    .innerJoin('users', 'users.id', 'waivers.granted_by')
    .select([
      'waivers.id',
      'waivers.rule',
      'waivers.justification',
      'waivers.expires_at',
      'waivers.granted_at',
      'users.name as granted_by',
    ])
    .where('waivers.release_id', '=', releaseId)
    .orderBy('waivers.granted_at'),
);

export async function waiversOfRelease(tx: Tx, releaseId: string): Promise<Waiver[]> {
  const rows = await waiverRows(tx, releaseId);
  return rows.map((r) => ({
    id: r.id,
    rule: r.rule,
    justification: r.justification,
    expiresAt: r.expires_at,
    grantedBy: r.granted_by,
    grantedAt: r.granted_at,
  }));
}

/**
 * Waives one gate rule for one release until an expiry, with a justification. Nobody
 * waives a rule for a release they raised themselves.
 */
export async function grantWaiver(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: GrantWaiverInput,
): Promise<Waiver> {
  authorize(ctx.actor, 'waiver:grant');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  if (!isGateRule(input.rule))
    throw invalid(
      '/rule',
      `'${input.rule}' is not a gate rule; one of ${GATE_RULE_IDS.join(', ')}`,
    );
  // The CAB's decision is the control itself: waiving it would let one person stand in
  // for the board.
  if (input.rule === 'cab-decision')
    throw invalid(
      '/rule',
      'the CAB decision cannot be waived: only the CAB decides (a Go, or a Conditional Go with its conditions met)',
      'not-waivable',
    );
  if (!input.justification.trim()) throw invalid('/justification', 'must say why');
  const expiresAt = toUtc(input.expiresAt);
  const now = ctx.now.toISOString();
  if (expiresAt <= now) throw invalid('/expiresAt', `must be in the future (now is ${now})`);
  const limit = new Date(ctx.now.getTime() + MAX_WAIVER_DAYS * 86_400_000).toISOString();
  if (expiresAt > limit)
    throw invalid('/expiresAt', `a waiver lasts at most ${MAX_WAIVER_DAYS} days (until ${limit})`);
  const requester = await ctx.tx
    .selectFrom('releases')
    .select('requester_id')
    .where('id', '=', release.id)
    .executeTakeFirstOrThrow();
  if (requester.requester_id === ctx.actor.userId)
    throw new GatehouseError(
      'forbidden',
      'self-waiver',
      `${ctx.actor.name} raised ${release.key} and so may not waive its gate rules`,
    );
  const waiver: Waiver = {
    id: randomUUID(),
    rule: input.rule,
    justification: input.justification.trim(),
    expiresAt,
    grantedBy: ctx.actor.name,
    grantedAt: now,
  };
  await ctx.tx
    .insertInto('waivers')
    .values({
      id: waiver.id,
      release_id: release.id,
      rule: waiver.rule,
      justification: waiver.justification,
      expires_at: expiresAt,
      granted_by: ctx.actor.userId,
      granted_at: now,
    })
    .execute();
  await recordAudit(ctx, {
    action: 'waiver.granted',
    subjectType: 'release',
    subjectId: release.key,
    after: waiver,
  });
  return waiver;
}

export async function listWaivers(ctx: Ctx, releaseIdOrKey: string): Promise<Waiver[]> {
  authorize(ctx.actor, 'policy:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  return waiversOfRelease(ctx.tx, release.id);
}
