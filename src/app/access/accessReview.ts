/**
 * Periodic access reviews: who holds which role and token, since when, when it was last
 * used, and the reviewer's confirmation or revocation of each grant. A revocation takes
 * the access away in the same transaction as its audit entry.
 */
import { randomUUID } from 'node:crypto';
import {
  LAST_USED_GRANULARITY,
  missingGrantFields,
  type AccessReviewDecisionInput,
} from '../../domain/access-review.js';
import { GatehouseError, conflict, notFound } from '../../domain/errors.js';
import type { Tx } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface LastReview {
  decision: string;
  reviewer: string;
  reason: string;
  at: string;
}

export interface RoleGrant {
  user: string;
  displayName: string;
  role: string;
  grantedAt: string;
  grantedBy: string;
  userDisabled: boolean;
  /** The latest use of any of the user's tokens (to within `lastUsedGranularity`). */
  lastUsedAt: string | null;
  lastReview: LastReview | null;
}

export interface TokenGrant {
  id: string;
  name: string;
  user: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  expired: boolean;
  lastUsedAt: string | null;
  lastReview: LastReview | null;
}

export interface AccessReviewReport {
  generatedAt: string;
  lastUsedGranularity: string;
  roles: RoleGrant[];
  tokens: TokenGrant[];
}

const roleGrantId = (user: string, role: string) => `${user}/${role}`;

async function lastReviews(tx: Tx): Promise<Map<string, LastReview>> {
  const rows = await tx
    .selectFrom('access_review_decisions')
    .selectAll()
    .orderBy('decided_at')
    .orderBy('id')
    .execute();
  const latest = new Map<string, LastReview>();
  for (const r of rows)
    latest.set(`${r.grant_kind}:${r.grant_id}`, {
      decision: r.decision,
      reviewer: r.reviewer,
      reason: r.reason,
      at: r.decided_at,
    });
  return latest;
}

export async function accessReviewReport(ctx: Ctx): Promise<AccessReviewReport> {
  authorize(ctx.actor, 'access-review:read');
  const { tx } = ctx;
  const reviews = await lastReviews(tx);
  const tokens = await tx
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.prefix',
      'api_tokens.created_at',
      'api_tokens.expires_at',
      'api_tokens.last_used_at',
      'api_tokens.revoked_at',
      'users.name as user',
    ])
    .orderBy('users.name')
    .orderBy('api_tokens.created_at')
    .execute();
  const lastUse = new Map<string, string>();
  for (const t of tokens)
    if (t.last_used_at && (lastUse.get(t.user) ?? '') < t.last_used_at)
      lastUse.set(t.user, t.last_used_at);
  const roles = await tx
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select([
      'users.name',
      'users.display_name',
      'users.disabled_at',
      'user_roles.role',
      'user_roles.granted_at',
      'user_roles.granted_by',
    ])
    .where('users.id', '!=', 'system')
    .orderBy('users.name')
    .orderBy('user_roles.role')
    .execute();
  return {
    generatedAt: ctx.now.toISOString(),
    lastUsedGranularity: LAST_USED_GRANULARITY,
    roles: roles.map((r) => ({
      user: r.name,
      displayName: r.display_name,
      role: r.role,
      grantedAt: r.granted_at,
      grantedBy: r.granted_by,
      userDisabled: r.disabled_at !== null,
      lastUsedAt: lastUse.get(r.name) ?? null,
      lastReview: reviews.get(`role:${roleGrantId(r.name, r.role)}`) ?? null,
    })),
    tokens: tokens
      .filter((t) => t.revoked_at === null)
      .map((t) => ({
        id: t.id,
        name: t.name,
        user: t.user,
        prefix: t.prefix,
        createdAt: t.created_at,
        expiresAt: t.expires_at,
        expired: t.expires_at !== null && Date.parse(t.expires_at) <= ctx.now.getTime(),
        lastUsedAt: t.last_used_at,
        lastReview: reviews.get(`token:${t.id}`) ?? null,
      })),
  };
}

export interface RecordedDecision {
  id: string;
  grant: 'role' | 'token';
  grantId: string;
  decision: 'confirmed' | 'revoked';
  reason: string;
  reviewer: string;
  decidedAt: string;
}

export async function decideAccessReview(
  ctx: Ctx,
  input: AccessReviewDecisionInput,
): Promise<RecordedDecision> {
  authorize(ctx.actor, 'access-review:decide');
  const missing = missingGrantFields(input);
  if (missing.length > 0)
    throw new GatehouseError(
      'invalid',
      'invalid-input',
      `a decision on a ${input.grant} names ${missing.join(' and ')}`,
      {
        problems: missing.map((field) => ({
          field,
          reason: `required when grant is '${input.grant}'`,
        })),
      },
    );
  const { tx } = ctx;
  const now = ctx.now.toISOString();
  let grantId: string;
  let subjectType: string;
  let subjectId: string;
  let before: unknown;
  let after: unknown;
  if (input.grant === 'role') {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'name'])
      .where('name', '=', input.user!)
      .executeTakeFirst();
    if (!user || user.id === 'system') throw notFound('user', input.user!);
    const held = await tx
      .selectFrom('user_roles')
      .select('role')
      .where('user_id', '=', user.id)
      .orderBy('role')
      .execute();
    const roles = held.map((r) => r.role);
    if (!roles.includes(input.role!))
      throw notFound('role grant', roleGrantId(user.name, input.role!));
    if (input.decision === 'revoke') {
      if (input.role === 'admin') {
        const admins = await tx
          .selectFrom('user_roles')
          .innerJoin('users', 'users.id', 'user_roles.user_id')
          .select('users.name')
          .where('user_roles.role', '=', 'admin')
          .where('users.disabled_at', 'is', null)
          .where('users.id', '!=', 'system')
          .execute();
        if (admins.length <= 1)
          throw conflict(
            'last-admin',
            `${user.name} is the last admin; grant the role to someone else before revoking it`,
          );
      }
      await tx
        .deleteFrom('user_roles')
        .where('user_id', '=', user.id)
        .where('role', '=', input.role!)
        .execute();
    }
    grantId = roleGrantId(user.name, input.role!);
    subjectType = 'user';
    subjectId = user.name;
    before = { roles };
    after = {
      role: input.role,
      reason: input.reason,
      roles: input.decision === 'revoke' ? roles.filter((r) => r !== input.role) : roles,
    };
  } else {
    const token = await tx
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.name',
        'api_tokens.prefix',
        'api_tokens.revoked_at',
        'users.name as user',
      ])
      .where('api_tokens.id', '=', input.tokenId!)
      .executeTakeFirst();
    if (!token) throw notFound('token', input.tokenId!);
    if (token.revoked_at)
      throw conflict(
        'token-revoked',
        `token ${token.prefix}… was already revoked at ${token.revoked_at}`,
      );
    if (input.decision === 'revoke') {
      const revoked = await tx
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('id', '=', token.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(revoked.numUpdatedRows) !== 1)
        throw conflict('token-revoked', `token ${token.prefix}… was revoked meanwhile`);
    }
    grantId = token.id;
    subjectType = 'token';
    subjectId = token.id;
    before = { name: token.name, user: token.user, prefix: token.prefix, revokedAt: null };
    after = {
      name: token.name,
      user: token.user,
      prefix: token.prefix,
      reason: input.reason,
      revokedAt: input.decision === 'revoke' ? now : null,
    };
  }
  const decision = input.decision === 'revoke' ? 'revoked' : 'confirmed';
  const id = randomUUID();
  await tx
    .insertInto('access_review_decisions')
    .values({
      id,
      grant_kind: input.grant,
      grant_id: grantId,
      decision,
      reason: input.reason,
      reviewer: ctx.actor.name,
      decided_at: now,
    })
    .execute();
  await recordAudit(ctx, {
    action: `access-review.${decision}`,
    subjectType,
    subjectId,
    before,
    after,
  });
  return {
    id,
    grant: input.grant,
    grantId,
    decision,
    reason: input.reason,
    reviewer: ctx.actor.name,
    decidedAt: now,
  };
}
