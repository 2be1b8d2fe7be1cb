/**
 * The evidence package of a release as a zip, and the control mapping it is judged by.
 * Downloading a package is recorded in the audit log (`evidence-package.exported`) with
 * the manifest's digest, which the response also carries in a header.
 */
import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import { getControlMapping, saveControlMapping } from '../../app/controls/controlMapping.js';
import { exportEvidencePackage } from '../../app/evidence-package/exportEvidencePackage.js';
import { CONTROLS, RECORD_TYPES } from '../../domain/evidence-package/controls.js';
import { ERROR_RESPONSES, IdParam } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const ControlMappingBody = Type.Object(
  {
    controls: Type.Array(
      Type.Object(
        {
          control: Type.String({
            minLength: 1,
            maxLength: 100,
            description: 'a control id from GET /controls',
          }),
          records: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
            maxItems: 50,
            description: 'record types (GET /controls) that evidence the control',
          }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

const ControlMappingSchema = Type.Object({
  version: Type.Integer({ description: '0 is the shipped default' }),
  mapping: ControlMappingBody,
  sha256: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Union([Type.String(), Type.Null()]),
});

export function evidencePackageRoutes({ server, app }: RouteDeps): void {
  const tags = ['evidence'];
  server.get(
    '/releases/:id/evidence-package',
    {
      schema: {
        tags,
        summary:
          'The release’s evidence package (zip): records, evidence files, audit chain, manifest; the export is audited',
        produces: ['application/zip'],
        params: IdParam,
        response: { ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const exported = await execute(app, request.actor, (ctx) =>
        exportEvidencePackage(ctx, request.params.id),
      );
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${exported.fileName}"`)
        .header('x-gatehouse-manifest-sha256', exported.manifestSha256)
        .header('x-gatehouse-archive-sha256', exported.archiveSha256)
        .send(Buffer.from(exported.archive));
    },
  );

  server.get(
    '/controls',
    {
      schema: {
        tags,
        summary: 'The controls a mapping may name and the record types that may evidence them',
        response: {
          200: Type.Object({
            controls: Type.Array(
              Type.Object({ id: Type.String(), framework: Type.String(), title: Type.String() }),
            ),
            recordTypes: Type.Record(Type.String(), Type.String()),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => ({ controls: [...CONTROLS], recordTypes: { ...RECORD_TYPES } }),
  );

  server.get(
    '/controls/mapping',
    {
      schema: {
        tags,
        summary: 'The control mapping in force (the shipped default until an admin saves one)',
        response: { 200: ControlMappingSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getControlMapping(ctx)),
  );

  server.put(
    '/controls/mapping',
    {
      schema: {
        tags,
        summary: 'Save the next version of the control mapping (admin); audited',
        body: ControlMappingBody,
        response: { 200: ControlMappingSchema, ...ERROR_RESPONSES, 409: Type.Ref('Problem') },
      },
    },
    async (request) => execute(app, request.actor, (ctx) => saveControlMapping(ctx, request.body)),
  );
}
