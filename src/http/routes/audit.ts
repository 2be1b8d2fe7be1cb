import { Type } from '@sinclair/typebox';
import { listAudit } from '../../app/audit/queries.js';
import { verifyAuditChain } from '../../app/audit/verifyAuditChain.js';
import { authorize } from '../../app/authorize.js';
import { query } from '../../app/context.js';
import { ERROR_RESPONSES, Nullable, Page, PageQuery } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  hash: Type.String(),
  prevHash: Type.String(),
});

export function auditRoutes({ server, app }: RouteDeps): void {
  const tags = ['audit'];

  server.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'Audit entries, newest first, optionally for one subject',
        querystring: Type.Object(
          {
            ...PageQuery,
            subjectType: Type.Optional(Type.String({ maxLength: 50 })),
            subjectId: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AuditEntrySchema), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listAudit(ctx, request.query)),
  );

  server.get(
    '/audit/verify',
    {
      schema: {
        tags,
        summary: 'Recompute the whole hash chain and report the first broken entry, if any',
        response: {
          200: Type.Object({
            intact: Type.Boolean(),
            entries: Type.Integer(),
            headSeq: Type.Integer(),
            headHash: Type.String(),
            firstBreak: Nullable(
              Type.Object(
                { seq: Type.Integer(), problem: Type.String(), description: Type.String() },
                { additionalProperties: true },
              ),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      authorize(request.actor, 'audit:read');
      return verifyAuditChain(app.store);
    },
  );
}
