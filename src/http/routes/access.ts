import { Type } from '@sinclair/typebox';
import { createToken } from '../../app/access/tokens.js';
import { createUser, getUser, listUsers } from '../../app/access/users.js';
import { execute, query } from '../../app/context.js';
import { CreateTokenInput, CreateUserInput } from '../../domain/user.js';
import { ERROR_RESPONSES, NameParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const UserSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    displayName: Type.String(),
    email: Nullable(Type.String()),
    team: Nullable(Type.String()),
    roles: Type.Array(Type.String()),
    createdAt: Type.String(),
    disabledAt: Nullable(Type.String()),
  },
  { $id: 'User' },
);

export function accessRoutes({ server, app }: RouteDeps): void {
  const tags = ['access'];

  server.get(
    '/me',
    {
      schema: {
        tags,
        summary: 'Who the token acts for and the roles it holds',
        response: {
          200: Type.Object({ name: Type.String(), roles: Type.Array(Type.String()) }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => ({ name: request.actor.name, roles: request.actor.roles }),
  );

  server.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a user with roles',
        body: CreateUserInput,
        response: { 201: Type.Ref('User'), ...ERROR_RESPONSES, 409: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const user = await execute(app, request.actor, (ctx) => createUser(ctx, request.body));
      void reply.code(201);
      return user;
    },
  );

  server.get(
    '/users',
    {
      schema: {
        tags,
        summary: 'Users and their roles',
        response: { 200: Type.Array(Type.Ref('User')), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listUsers(ctx)),
  );

  server.get(
    '/users/:name',
    {
      schema: {
        tags,
        summary: 'One user',
        params: NameParam,
        response: { 200: Type.Ref('User'), ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getUser(ctx, request.params.name)),
  );

  server.post(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; the secret is in this response only',
        body: CreateTokenInput,
        response: {
          201: Type.Object({
            id: Type.String(),
            name: Type.String(),
            user: Type.String(),
            token: Type.String(),
            expiresAt: Nullable(Type.String()),
            createdAt: Type.String(),
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const issued = await execute(app, request.actor, (ctx) => createToken(ctx, request.body));
      void reply.code(201).header('cache-control', 'no-store');
      return issued;
    },
  );
}

export const ACCESS_SCHEMAS = [UserSchema];
