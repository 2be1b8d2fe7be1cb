/** Staged approvals of a release: the status of each stage, approving, rejecting. */
import { Type } from '@sinclair/typebox';
import { withRefusalAudited } from '../../app/approvals/auditRefusal.js';
import {
  approveRelease,
  getApprovalStatus,
  rejectRelease,
} from '../../app/approvals/decideApproval.js';
import { execute, query } from '../../app/context.js';
import { APPROVAL_STAGES } from '../../domain/policy.js';
import { StrictObject, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const Decision = Type.Object({
  id: Type.String(),
  stage: Type.String(),
  decision: StringEnum(['approved', 'rejected'] as const),
  by: Type.String(),
  text: Type.String({ description: 'the comment of an approval, the reason of a rejection' }),
  contentHash: Type.String(),
  at: Type.String(),
  void: Type.Boolean({
    description: "true when the release's content changed after it: it does not count",
  }),
});

const ApprovalStatusSchema = Type.Object(
  {
    release: Type.String(),
    releaseState: Type.String(),
    policySet: Type.Object({ name: Type.String(), version: Type.Integer() }),
    policy: Nullable(Type.String()),
    path: Nullable(Type.String()),
    environment: Nullable(
      Type.String({ description: 'the production environment the policy was selected for' }),
    ),
    contentHash: Type.String(),
    state: StringEnum(['complete', 'rejected', 'pending'] as const),
    stages: Type.Array(
      Type.Object({
        stage: Type.String(),
        state: StringEnum(['waiting', 'open', 'complete', 'rejected'] as const, {
          description:
            'waiting: an earlier stage is not complete, or the release is not in Approve',
        }),
        required: Type.Integer(),
        given: Type.Integer(),
        dual: Type.Boolean(),
        approvedBy: Type.Array(Type.String()),
        rejection: Nullable(
          Type.Object({ by: Type.String(), reason: Type.String(), at: Type.String() }),
        ),
        mayApprove: Type.Array(Type.String(), {
          description: 'who may still approve, segregation of duties applied',
        }),
        roles: Nullable(Type.Array(Type.String())),
        approvers: Nullable(Type.Array(Type.String())),
        openedAt: Nullable(Type.String()),
        completedAt: Nullable(Type.String()),
        dueAt: Nullable(Type.String()),
        overdue: Type.Boolean(),
        decisions: Type.Array(Decision),
      }),
    ),
  },
  { description: "the release's approvals, stage by stage" },
);

// The stage is checked by the use case, not the schema, so an unknown stage is a refusal
// that is audited like every other.
const Stage = Type.String({
  minLength: 1,
  maxLength: 100,
  description: `one of ${APPROVAL_STAGES.join(', ')}`,
});

export function approvalRoutes({ server, app }: RouteDeps): void {
  const tags = ['approvals'];
  const responses = {
    ...ERROR_RESPONSES,
    404: Type.Ref('Problem'),
    409: Type.Ref('Problem'),
  };

  server.get(
    '/releases/:id/approvals',
    {
      schema: {
        tags,
        summary: 'Approval status: each stage, approvals required and given, who may still approve',
        params: IdParam,
        response: { 200: ApprovalStatusSchema, ...responses },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => getApprovalStatus(ctx, request.params.id)),
  );

  server.post(
    '/releases/:id/approvals',
    {
      schema: {
        tags,
        summary: 'Approve one stage of the release; bound to its current content hash',
        params: IdParam,
        body: StrictObject({
          stage: Stage,
          comment: Type.Optional(Type.String({ maxLength: 5000 })),
        }),
        response: { 201: ApprovalStatusSchema, ...responses },
      },
    },
    async (request, reply) => {
      const status = await withRefusalAudited(
        app,
        request.actor,
        {
          action: 'approval.refused',
          subjectType: 'release',
          subjectId: request.params.id,
          request: { decision: 'approved', stage: request.body.stage },
        },
        () =>
          execute(app, request.actor, (ctx) =>
            approveRelease(ctx, request.params.id, request.body),
          ),
      );
      void reply.code(201);
      return status;
    },
  );

  server.post(
    '/releases/:id/rejections',
    {
      schema: {
        tags,
        summary: 'Reject one stage of the release, with a reason',
        params: IdParam,
        body: StrictObject({
          stage: Stage,
          reason: Type.Optional(
            Type.String({ maxLength: 5000, description: 'required; a rejection says why' }),
          ),
        }),
        response: { 201: ApprovalStatusSchema, ...responses },
      },
    },
    async (request, reply) => {
      const status = await withRefusalAudited(
        app,
        request.actor,
        {
          action: 'approval.refused',
          subjectType: 'release',
          subjectId: request.params.id,
          request: { decision: 'rejected', stage: request.body.stage },
        },
        () =>
          execute(app, request.actor, (ctx) => rejectRelease(ctx, request.params.id, request.body)),
      );
      void reply.code(201);
      return status;
    },
  );
}
