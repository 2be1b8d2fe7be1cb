/**
 * Small constructors over TypeBox so every schema in the product refuses unknown
 * fields and names share one shape. TypeBox is a pure schema library (no I/O), so the
 * domain may describe its inputs with it: HTTP validation, OpenAPI and the inferred
 * TypeScript types all come from these same objects (ADR 0003).
 */
import {
  Type,
  type TObject,
  type TProperties,
  type ObjectOptions,
  type TUnsafe,
} from '@sinclair/typebox';

export function StrictObject<T extends TProperties>(
  properties: T,
  options: ObjectOptions = {},
): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** Lowercase slug used as the stable, human-typed identifier of catalog records. */
export const Slug = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
  description:
    'lowercase letters, digits and dashes; starts with a letter or digit; at most 63 characters',
});

/** ISO 8601 instant with an explicit offset; stored as UTC. */
export const Instant = Type.String({
  format: 'date-time',
  description: 'ISO 8601 date-time with offset',
});

export const ShortText = Type.String({ minLength: 1, maxLength: 200 });
export const LongText = Type.String({ maxLength: 20000 });

/** A closed set of strings, published as a JSON Schema `enum` and typed as their union. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    description: options.description ?? values.join(' | '),
    ...(options.default ? { default: options.default } : {}),
  });
}
