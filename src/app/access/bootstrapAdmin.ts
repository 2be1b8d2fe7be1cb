/**
 * First start: when nobody holds the admin role yet, create the `admin` user and one
 * token for it. The token is returned once, for the caller to write to a private file.
 */
import { lockAuditChain } from '../../store/database.js';
import type { Ctx } from '../context.js';
import { createToken, type IssuedToken } from './tokens.js';
import { createUser } from './users.js';

export async function bootstrapAdmin(ctx: Ctx): Promise<IssuedToken | null> {
  // Replicas starting together: the first one in creates the admin, the others then see it.
  await lockAuditChain(ctx.tx, ctx.engine);
  const admin = await ctx.tx
    .selectFrom('user_roles')
    .select('user_id')
    .where('role', '=', 'admin')
    .where('user_id', '!=', 'system')
    .limit(1)
    .executeTakeFirst();
  if (admin) return null;
  const existing = await ctx.tx
    .selectFrom('users')
    .select('id')
    .where('name', '=', 'admin')
    .executeTakeFirst();
  if (!existing)
    await createUser(ctx, { name: 'admin', displayName: 'Administrator', roles: ['admin'] });
  else {
    await ctx.tx
      .insertInto('user_roles')
      .values({
        user_id: existing.id,
        role: 'admin',
        granted_at: ctx.now.toISOString(),
        granted_by: ctx.actor.name,
      })
      .execute();
  }
  return createToken(ctx, { name: 'first-start admin token', user: 'admin' });
}
