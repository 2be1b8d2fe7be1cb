import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem document' },
);

/**
 * A value or null, written as a JSON Schema type list (`type: ['string', 'null']`)
 * rather than `anyOf`: fast-json-stringify serialises a type list directly, while for
 * `anyOf` it runs a validator on every value of every response to pick the branch.
 */
export const Nullable = <T extends TSchema>(schema: T): TUnsafe<Static<T> | null> => {
  const type = (schema as { type?: string | string[] }).type;
  if (typeof type !== 'string')
    return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]));
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
};

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

/** Problem responses every authenticated route may give. */
export const ERROR_RESPONSES = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  // The database unreachable or restarting: retry after the Retry-After header's seconds.
  503: Type.Ref('Problem'),
} as const;

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
