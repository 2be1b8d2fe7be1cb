/**
 * Two Ajv instances behind Fastify's validator: bodies are checked strictly (no type
 * coercion, no silently dropped fields: an unknown field is an error), while query
 * strings, path parameters and headers, which are text by nature, are coerced to the
 * declared types.
 */
import { Ajv, type Options } from 'ajv';
import { createRequire } from 'node:module';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS whose typings claim an ES default export; load it as what it is.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv) => Ajv;

const common: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
  // Guards against pathological patterns and sizes in user input.
  allowUnionTypes: true,
};

const strict = new Ajv({ ...common, coerceTypes: false });
const lenient = new Ajv({ ...common, coerceTypes: 'array' });
for (const ajv of [strict, lenient]) {
  addFormats(ajv);
  // TypeBox marks its schemas with these keywords; Ajv need not understand them.
  ajv.addKeyword('kind').addKeyword('modifier');
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : lenient;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};
