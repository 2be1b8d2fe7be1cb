/**
 * Validates policy sets against the published JSON Schema with Ajv, and says which
 * schema rule failed: "/policies/0/requires/tests/minPassRate must be <= 100
 * (schema: #/properties/policies/items/…/maximum)", so an author can look it up.
 */
import { Ajv } from 'ajv';
import { PolicySetDocument } from '../../domain/policy.js';
import type { FieldProblem } from '../../domain/errors.js';

/** The schema as published: plain JSON, with the dialect it is written in. */
export const POLICY_SET_JSON_SCHEMA: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  ...(JSON.parse(JSON.stringify(PolicySetDocument)) as Record<string, unknown>),
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(POLICY_SET_JSON_SCHEMA);

export function policySetProblems(document: unknown): FieldProblem[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? `/${String(e.params.additionalProperty)}`
        : e.keyword === 'required'
          ? `/${String(e.params.missingProperty)}`
          : '';
    const reason =
      e.keyword === 'additionalProperties'
        ? 'is not a known field'
        : e.keyword === 'required'
          ? 'is required'
          : e.keyword === 'enum'
            ? `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`
            : (e.message ?? `fails ${e.keyword}`);
    return {
      field: `${e.instancePath}${extra}` || '/',
      reason: `${reason} (schema: ${e.schemaPath})`,
    };
  });
}
