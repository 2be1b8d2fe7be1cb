/**
 * A refused governance decision leaves a trace. The use case's own transaction rolls
 * back with the refusal, so the attempt — who, what, and why it was refused — is
 * appended to the audit chain in a small transaction of its own before the refusal is
 * answered.
 */
import { isGatehouseError } from '../../domain/errors.js';
import { recordAudit } from '../audit/recordAudit.js';
import { execute, type Actor, type App, type Ctx } from '../context.js';

export interface Attempt {
  /** e.g. `cab.decision`; the refusal is audited as `cab.decision.refused`. */
  action: string;
  subjectType: string;
  subjectId: string;
  /** What was asked for, as the audit entry should show it. */
  input: unknown;
}

export async function executeAudited<T>(
  app: App,
  actor: Actor,
  attempt: Attempt,
  command: (ctx: Ctx) => Promise<T>,
): Promise<T> {
  try {
    return await execute(app, actor, command);
  } catch (error) {
    // Only the product's refusals; a not-found subject or a crash has nothing to audit.
    if (isGatehouseError(error) && ['invalid', 'forbidden', 'conflict'].includes(error.kind))
      await execute(app, actor, (ctx) =>
        recordAudit(ctx, {
          action: `${attempt.action}.refused`,
          subjectType: attempt.subjectType,
          subjectId: attempt.subjectId,
          after: {
            refused: error.code,
            reason: error.message,
            ...(error.field ? { field: error.field } : {}),
            input: attempt.input,
          },
        }),
      );
    throw error;
  }
}
