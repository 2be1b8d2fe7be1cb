import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from './access.js';
import { ShortText, Slug, StrictObject, StringEnum } from './schema-kit.js';

export const RoleSchema = StringEnum(ROLES);

export const CreateUserInput = StrictObject({
  name: Slug,
  displayName: Type.Optional(ShortText),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
  team: Type.Optional(Slug),
  roles: Type.Array(RoleSchema, { uniqueItems: true, maxItems: ROLES.length }),
});
export type CreateUserInput = Static<typeof CreateUserInput>;

export const CreateTokenInput = StrictObject({
  name: ShortText,
  /** The user the token acts as; defaults to the caller. Only token managers may name another. */
  user: Type.Optional(Slug),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});
export type CreateTokenInput = Static<typeof CreateTokenInput>;
