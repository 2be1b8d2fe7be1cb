/** A release's runbook: written, read with its timings, and executed step by step. */
import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import { getRunbook } from '../../app/runbooks/getRunbook.js';
import { markRunbookStep } from '../../app/runbooks/markRunbookStep.js';
import { setRunbook } from '../../app/runbooks/setRunbook.js';
import { MarkStepInput, RunbookInput } from '../../domain/runbook.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const StepSchema = Type.Object({
  key: Type.String({ description: 'pre-check-N, step-N, validation-N or rollback-N' }),
  section: Type.String(),
  position: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  owner: Nullable(Type.String()),
  status: Type.String({ description: 'pending | in-progress | done | failed | skipped' }),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  durationMs: Nullable(Type.Integer()),
  markedBy: Nullable(Type.String()),
  note: Type.String(),
});

export const RunbookSchema = Type.Object(
  {
    release: Type.String(),
    contacts: Type.Array(
      Type.Object({ name: Type.String(), role: Type.String(), contact: Type.String() }),
    ),
    revision: Type.Integer(),
    updatedAt: Type.String(),
    preChecks: Type.Array(StepSchema),
    steps: Type.Array(StepSchema),
    validation: Type.Array(StepSchema),
    rollback: Type.Array(StepSchema),
    timings: Type.Object({
      totalMs: Nullable(Type.Integer()),
      bySectionMs: Type.Object({
        'pre-check': Type.Integer(),
        step: Type.Integer(),
        validation: Type.Integer(),
        rollback: Type.Integer(),
      }),
      waitingMs: Nullable(Type.Integer()),
      longest: Type.Array(
        Type.Object({
          key: Type.String(),
          title: Type.String(),
          durationMs: Type.Integer(),
          share: Type.Number({ description: 'of the total, 0–1' }),
        }),
      ),
    }),
  },
  { $id: 'Runbook' },
);

export function runbookRoutes({ server, app }: RouteDeps): void {
  const tags = ['runbooks'];
  server.addSchema(RunbookSchema);
  const responses = {
    200: Type.Ref('Runbook'),
    ...ERROR_RESPONSES,
    404: Type.Ref('Problem'),
    409: Type.Ref('Problem'),
  };

  server.put(
    '/releases/:id/runbook',
    {
      schema: {
        tags,
        summary:
          "Write the release's runbook: pre-checks, ordered steps, validation, rollback, contacts",
        params: IdParam,
        body: RunbookInput,
        response: responses,
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => setRunbook(ctx, request.params.id, request.body)),
  );

  server.get(
    '/releases/:id/runbook',
    {
      schema: {
        tags,
        summary: 'Read the runbook with each step’s status and duration, and where the time went',
        params: IdParam,
        response: responses,
      },
    },
    async (request) => query(app, request.actor, (ctx) => getRunbook(ctx, request.params.id)),
  );

  server.post(
    '/releases/:id/runbook/steps/:step',
    {
      schema: {
        tags,
        summary: 'Mark a step started, completed, failed or skipped (at an instant, default now)',
        params: Type.Object({
          id: IdParam.properties.id,
          step: Type.String({ minLength: 1, maxLength: 40 }),
        }),
        body: MarkStepInput,
        response: responses,
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) =>
        markRunbookStep(ctx, request.params.id, request.params.step, request.body),
      ),
  );
}
