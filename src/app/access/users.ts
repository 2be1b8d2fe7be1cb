import { randomUUID } from 'node:crypto';
import type { Role } from '../../domain/access.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import type { CreateUserInput } from '../../domain/user.js';
import { isUniqueViolation } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface User {
  id: string;
  name: string;
  displayName: string;
  email: string | null;
  team: string | null;
  roles: Role[];
  createdAt: string;
  disabledAt: string | null;
}

export async function createUser(ctx: Ctx, input: CreateUserInput): Promise<User> {
  authorize(ctx.actor, 'user:manage');
  const { tx } = ctx;
  let teamId: string | null = null;
  if (input.team) {
    const team = await tx
      .selectFrom('teams')
      .select('id')
      .where('name', '=', input.team)
      .executeTakeFirst();
    if (!team) throw invalid('/team', `team '${input.team}' does not exist`);
    teamId = team.id;
  }
  const id = randomUUID();
  const now = ctx.now.toISOString();
  try {
    await tx
      .insertInto('users')
      .values({
        id,
        name: input.name,
        display_name: input.displayName ?? input.name,
        email: input.email ?? null,
        team_id: teamId,
        created_at: now,
        disabled_at: null,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('duplicate-name', `a user named '${input.name}' already exists`, {
        field: '/name',
      });
    throw error;
  }
  if (input.roles.length > 0) {
    await tx
      .insertInto('user_roles')
      .values(
        input.roles.map((role) => ({
          user_id: id,
          role,
          granted_at: now,
          granted_by: ctx.actor.name,
        })),
      )
      .execute();
  }
  const user = (await findUser(ctx, input.name))!;
  await recordAudit(ctx, {
    action: 'user.created',
    subjectType: 'user',
    subjectId: user.name,
    after: user,
  });
  return user;
}

export async function findUser(ctx: Ctx, name: string): Promise<User | undefined> {
  const row = await ctx.tx
    .selectFrom('users')
    .leftJoin('teams', 'teams.id', 'users.team_id')
    .selectAll('users')
    .select('teams.name as team_name')
    .where('users.name', '=', name)
    .executeTakeFirst();
  if (!row) return undefined;
  const roles = await ctx.tx
    .selectFrom('user_roles')
    .select('role')
    .where('user_id', '=', row.id)
    .orderBy('role')
    .execute();
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    email: row.email,
    team: row.team_name,
    roles: roles.map((r) => r.role as Role),
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

export async function getUser(ctx: Ctx, name: string): Promise<User> {
  authorize(ctx.actor, 'user:read');
  const user = await findUser(ctx, name);
  if (!user) throw notFound('user', name);
  return user;
}

export async function listUsers(ctx: Ctx): Promise<User[]> {
  authorize(ctx.actor, 'user:read');
  const rows = await ctx.tx
    .selectFrom('users')
    .select('name')
    .where('id', '!=', 'system')
    .orderBy('name')
    .execute();
  const users: User[] = [];
  for (const row of rows) users.push((await findUser(ctx, row.name))!);
  return users;
}
