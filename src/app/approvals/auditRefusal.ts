/**
 * A refused decision rolls its transaction back, audit entry and all; the attempt still
 * belongs in the audit log. So it is recorded afterwards, in its own small transaction.
 */
import { isGatehouseError } from '../../domain/errors.js';
import { recordAudit } from '../audit/recordAudit.js';
import { execute, type Actor, type App } from '../context.js';

export interface Attempt {
  /** e.g. `approval.refused` */
  action: string;
  subjectType: string;
  subjectId: string;
  /** What was asked for (stage, decision…). */
  request: Record<string, unknown>;
}

export async function withRefusalAudited<T>(
  app: App,
  actor: Actor,
  attempt: Attempt,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Unauthenticated callers never reach here; every other refusal is recorded.
    if (isGatehouseError(error))
      await execute(app, actor, (ctx) =>
        recordAudit(ctx, {
          action: attempt.action,
          subjectType: attempt.subjectType,
          subjectId: attempt.subjectId,
          after: {
            ...attempt.request,
            refused: { status: error.kind, code: error.code, reason: error.message },
          },
        }),
      );
    throw error;
  }
}
