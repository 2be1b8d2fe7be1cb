/**
 * API tokens: 32 random bytes shown once, stored only as their SHA-256. A token this
 * long cannot be guessed, so a fast hash is the right one (a slow password hash would
 * only add latency to every request); lookup is by the hash, so no secret is compared.
 */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import { isRole } from '../../domain/access.js';
import { GatehouseError, notFound } from '../../domain/errors.js';
import type { CreateTokenInput } from '../../domain/user.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Store } from '../../store/database.js';
import { preparedQuery } from '../../store/prepared.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Actor, Ctx } from '../context.js';

const TOKEN_PREFIX = 'gth_';

export function hashToken(token: string): string {
  // One call, no Hash object: this runs on every authenticated request.
  return hash('sha256', token, 'hex');
}

export interface IssuedToken {
  id: string;
  name: string;
  user: string;
  /** The secret itself: returned once, never stored. */
  token: string;
  expiresAt: string | null;
  createdAt: string;
}

export async function createToken(ctx: Ctx, input: CreateTokenInput): Promise<IssuedToken> {
  const forSomeoneElse = input.user !== undefined && input.user !== ctx.actor.name;
  authorize(ctx.actor, forSomeoneElse ? 'token:manage' : 'token:create-own');
  const userName = input.user ?? ctx.actor.name;
  const user = await ctx.tx
    .selectFrom('users')
    .select(['id', 'name', 'disabled_at'])
    .where('name', '=', userName)
    .executeTakeFirst();
  if (!user || user.id === 'system') throw notFound('user', userName);
  if (user.disabled_at)
    throw new GatehouseError(
      'conflict',
      'user-disabled',
      `${userName} is disabled and cannot hold tokens`,
    );
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const now = ctx.now.toISOString();
  const expiresAt = input.expiresInDays
    ? new Date(ctx.now.getTime() + input.expiresInDays * 86_400_000).toISOString()
    : null;
  await ctx.tx
    .insertInto('api_tokens')
    .values({
      id,
      user_id: user.id,
      name: input.name,
      token_hash: hashToken(token),
      prefix: token.slice(0, 10),
      created_at: now,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  // The audit entry names the token, never its secret or hash.
  await recordAudit(ctx, {
    action: 'token.created',
    subjectType: 'token',
    subjectId: id,
    after: { name: input.name, user: userName, prefix: token.slice(0, 10), expiresAt },
  });
  return { id, name: input.name, user: userName, token, expiresAt, createdAt: now };
}

export type Authentication =
  | { ok: true; actor: Actor; tokenId: string; lastUsedAt: string | null; expiresAt: string | null }
  | { ok: false; reason: string };

const tokenByHash = preparedQuery((db: Kysely<Database>, hash: string) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      'users.id as user_id',
      'users.name',
      'users.disabled_at',
    ])
    .where('api_tokens.token_hash', '=', hash),
);
const rolesOf = preparedQuery((db: Kysely<Database>, userId: string) =>
  db.selectFrom('user_roles').select('role').where('user_id', '=', userId),
);

/** Resolves a bearer token to the person it acts for, or says why it does not. */
/** Resolves a token by its SHA-256 (`hashToken`), so the caller hashes it once per request. */
export async function authenticate(
  db: Kysely<Database>,
  tokenHash: string,
  now: Date,
): Promise<Authentication> {
  const [row] = await tokenByHash(db, tokenHash);
  if (!row) return { ok: false, reason: 'the token is not known' };
  if (row.revoked_at) return { ok: false, reason: `the token was revoked at ${row.revoked_at}` };
  if (row.expires_at && Date.parse(row.expires_at) <= now.getTime())
    return { ok: false, reason: `the token expired at ${row.expires_at}` };
  if (row.disabled_at) return { ok: false, reason: `user ${row.name} is disabled` };
  const roles = await rolesOf(db, row.user_id);
  return {
    ok: true,
    tokenId: row.id,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    actor: { userId: row.user_id, name: row.name, roles: roles.map((r) => r.role).filter(isRole) },
  };
}

/**
 * Usage metadata for access reviews; not a change of anyone's rights, so not audited.
 * The caller writes it at most once an hour per token to keep reads read-only.
 */
export async function touchToken(store: Store, tokenId: string, now: Date): Promise<void> {
  await store.write((tx) =>
    tx
      .updateTable('api_tokens')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', tokenId)
      .execute(),
  );
}
