/**
 * Evidence uploads take the file exactly as the CI tool wrote it as the request body
 * (any content type), so a pipeline can `curl --data-binary @report.xml`. The raw body
 * parser and its 50 MiB limit apply inside this plugin only; every other route keeps
 * the strict JSON parser and the 1 MiB limit.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MAX_EVIDENCE_BYTES, receiveEvidence } from '../../app/evidence/addEvidence.js';
import { listEvidence } from '../../app/evidence/queries.js';
import { authorize } from '../../app/authorize.js';
import { query } from '../../app/context.js';
import { EVIDENCE_DESCRIPTIONS, EVIDENCE_TYPES, type EvidenceType } from '../../domain/evidence.js';
import { invalid } from '../../domain/errors.js';
import { StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam } from '../schemas/common.js';
import { validatorCompiler } from '../validation.js';
import type { RouteDeps } from './index.js';

export const EvidenceSchema = Type.Object(
  {
    id: Type.String(),
    release: Type.String(),
    type: StringEnum(EVIDENCE_TYPES),
    fileName: Type.String(),
    sha256: Type.String(),
    size: Type.Integer(),
    facts: Type.Unknown({
      description: 'normalised facts: tests, coverage, findings or vulnerabilities',
    }),
    uploadedBy: Type.String(),
    uploadedAt: Type.String(),
  },
  { $id: 'Evidence' },
);

export function evidenceRoutes({ server, app }: RouteDeps): void {
  const tags = ['evidence'];
  void server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_EVIDENCE_BYTES },
      (_request, body, done) => done(null, body),
    );
    // The body is the report file: its parser is its validator (see receiveEvidence).
    scope.setValidatorCompiler((route) =>
      route.httpPart === 'body' ? () => true : validatorCompiler(route),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/releases/:id/evidence',
      {
        schema: {
          tags,
          summary: 'Upload a CI report for a release: the body is the file as the tool wrote it',
          description: Object.entries(EVIDENCE_DESCRIPTIONS)
            .map(([type, text]) => `\`${type}\`: ${text}`)
            .join('; '),
          params: IdParam,
          consumes: [
            'application/octet-stream',
            'application/xml',
            'application/json',
            'text/plain',
          ],
          body: Type.Unsafe<Buffer>({
            type: 'string',
            format: 'binary',
            description: 'the report file, byte for byte, at most 50 MiB',
          }),
          querystring: Type.Object(
            {
              type: StringEnum(EVIDENCE_TYPES),
              name: Type.Optional(
                Type.String({
                  minLength: 1,
                  maxLength: 200,
                  description:
                    'file name; a later upload with the same type and name replaces it in verdicts',
                }),
              ),
              artifact: Type.Optional(
                Type.String({
                  maxLength: 100,
                  description:
                    'sigstore evidence: the sha256:<hex> digest of the artifact the bundle attests',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Ref('Evidence'),
            ...ERROR_RESPONSES,
            404: Type.Ref('Problem'),
            413: Type.Ref('Problem'),
          },
        },
      },
      async (request, reply) => {
        // Refused before the body is looked at: a caller who may not add evidence learns nothing.
        authorize(request.actor, 'evidence:add');
        const content = request.body as Buffer | undefined;
        if (!content || content.length === 0)
          throw invalid('/body', 'is empty: send the report file as the body', 'invalid-evidence');
        const type = request.query.type as EvidenceType;
        const evidence = await receiveEvidence(app, request.actor, request.params.id, {
          type,
          fileName: request.query.name ?? `${type}-report`,
          content,
          ...(request.query.artifact ? { artifactDigest: request.query.artifact } : {}),
        });
        void reply.code(201);
        return evidence;
      },
    );
  });

  server.get(
    '/releases/:id/evidence',
    {
      schema: {
        tags,
        summary: 'Evidence uploaded for a release, oldest first, with its facts and SHA-256',
        params: IdParam,
        response: {
          200: Type.Array(Type.Ref('Evidence')),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listEvidence(ctx, request.params.id)),
  );
}
