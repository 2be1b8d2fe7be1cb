/**
 * Policy sets: the published schema, the versions, and applying a new one as YAML
 * (`application/yaml`, kept as written) or JSON. The body is validated by the use case
 * rather than by the route, so every error quotes the schema path it broke.
 */
import { Type } from '@sinclair/typebox';
import { applyPolicySet } from '../../app/policies/applyPolicySet.js';
import { POLICY_SET_JSON_SCHEMA } from '../../app/policies/policySchema.js';
import { getPolicySet, listPolicyVersions } from '../../app/policies/queries.js';
import { execute, query } from '../../app/context.js';
import { PolicySetDocument } from '../../domain/policy.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { validatorCompiler } from '../validation.js';
import type { RouteDeps } from './index.js';

const PolicySetVersionSummary = {
  version: Type.Integer(),
  name: Type.String(),
  sha256: Type.String(),
  appliedBy: Type.String(),
  appliedAt: Type.String(),
};
const PolicySetVersionSchema = Type.Object({
  ...PolicySetVersionSummary,
  document: Type.Unknown({ description: 'the policy set; see /policies/schema.json' }),
});

export function policyRoutes({ server, app }: RouteDeps): void {
  const tags = ['policies'];

  server.get(
    '/policies/schema.json',
    {
      config: { public: true },
      schema: { tags, summary: 'The JSON Schema every policy set must follow', security: [] },
    },
    async (_request, reply) => {
      void reply.type('application/schema+json');
      return POLICY_SET_JSON_SCHEMA;
    },
  );

  server.get(
    '/policies',
    {
      schema: {
        tags,
        summary: 'The current policy set, or the version asked for',
        querystring: Type.Object(
          { version: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: { 200: PolicySetVersionSchema, ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getPolicySet(ctx, request.query.version)),
  );

  server.get(
    '/policies/versions',
    {
      schema: {
        tags,
        summary: 'Every version of the policy set, newest first',
        response: { 200: Type.Array(Type.Object(PolicySetVersionSummary)), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listPolicyVersions(ctx)),
  );

  void server.register(async (scope) => {
    scope.addContentTypeParser(
      ['application/yaml', 'application/x-yaml', 'text/yaml'],
      { parseAs: 'string' },
      (_request, body, done) => done(null, { yaml: body as string }),
    );
    // applyPolicySet validates the body against the published schema itself, so that its
    // errors quote the schema path; the route's body schema documents it.
    scope.setValidatorCompiler((route) =>
      route.httpPart === 'body' ? () => true : validatorCompiler(route),
    );
    scope.post(
      '/policies',
      {
        schema: {
          tags,
          summary:
            'Apply a new version of the policy set (YAML or JSON); the same content again changes nothing',
          description:
            'The body must follow GET /policies/schema.json; errors name the field and quote the schema path.',
          consumes: ['application/yaml', 'application/json'],
          body: PolicySetDocument,
          response: {
            200: Type.Object({ changed: Type.Boolean(), policySet: PolicySetVersionSchema }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const body: unknown = request.body;
        const source =
          body !== null &&
          typeof body === 'object' &&
          'yaml' in body &&
          typeof body.yaml === 'string' &&
          request.headers['content-type']?.includes('yaml')
            ? { yaml: body.yaml }
            : { document: body };
        return execute(app, request.actor, (ctx) => applyPolicySet(ctx, source));
      },
    );
  });
}
